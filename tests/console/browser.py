"""What the console's browser scenario needs from Python: whether Debian's Chromium is there,
the fake camera's video of a QR code, and running the Playwright script (console/e2e/)."""

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import segno

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCENARIO = ROOT / "console" / "e2e" / "staff-day.mjs"
PLAYWRIGHT = ROOT / "console" / "node_modules" / "playwright-core" / "package.json"
# A guard against a hang, never a wait the test relies on: the script waits on conditions (each
# guarded at 20 s) and ends by itself.
GUARD_SECONDS = 240.0


def available() -> bool:
    return (
        Path(CHROMIUM).is_file()
        and os.access(CHROMIUM, os.X_OK)
        and shutil.which("node") is not None
        and PLAYWRIGHT.is_file()
    )


def qr_video(text: str, path: Path, *, width: int = 640, height: int = 480) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of a QR code of ``text`` on white."""
    matrix = segno.make_qr(text, error="m").matrix  # a full QR code, not a Micro QR
    scale = min(width, height) // (len(matrix) + 8)
    left, top = (width - len(matrix) * scale) // 2, (height - len(matrix) * scale) // 2
    luma = bytearray([235]) * (width * height)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * width + left + x * scale
                    luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (width // 2 * height // 2 * 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 2)
    return path


async def run_scenario(scenario: dict[str, Any]) -> dict[str, Any]:
    """Run the Playwright script with ``scenario`` (the API keeps serving meanwhile: this waits
    without blocking the event loop); its last line of output, parsed. Fails with its output."""
    environment = {**os.environ, "SCENARIO": json.dumps({"chromium": CHROMIUM, **scenario})}
    process = await asyncio.create_subprocess_exec(
        "node",
        str(SCENARIO),
        cwd=SCENARIO.parent,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with asyncio.timeout(GUARD_SECONDS):
            output, _ = await process.communicate()
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        raise AssertionError(f"the browser scenario hung:\n{output.decode()}") from None
    text = output.decode()
    if process.returncode != 0:
        raise AssertionError(f"the browser scenario failed:\n{text}")
    result: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    return result
