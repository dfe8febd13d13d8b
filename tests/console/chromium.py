"""Headless Chromium driven over the Chrome DevTools Protocol (a websocket; no driver, no
download): Debian's /usr/bin/chromium, real mouse clicks and typed text, screenshots, and the
page's errors and Content-Security-Policy violations collected for the test to check."""

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import segno
from websockets.asyncio.client import ClientConnection, connect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# axe-core, from the console's own npm dependencies (console/package-lock.json).
AXE = Path(__file__).resolve().parents[2] / "console" / "node_modules" / "axe-core" / "axe.min.js"
# Guards against a hang, never waits a test relies on: every wait is for a condition.
GUARD_SECONDS = 20.0
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--window-size=1440,1000",
    "--lang=vi-VN",
)


def available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


class PageError(AssertionError):
    pass


class Page:
    """One tab: CDP commands and the events the test looks at."""

    def __init__(self, websocket: ClientConnection, screenshots: Path) -> None:
        self.websocket = websocket
        self.screenshots = screenshots
        self.problems: list[str] = []  # uncaught errors, CSP violations, failed loads
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())
        self._shots = itertools.count(1)

    async def _read(self) -> None:
        async for raw in self.websocket:
            message = json.loads(raw)
            if "id" in message and message["id"] in self._waiting:
                self._waiting.pop(message["id"]).set_result(message)
            elif message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.problems.append(details.get("exception", {}).get("description", str(details)))
            elif message.get("method") == "Log.entryAdded":
                entry = message["params"]["entry"]
                if entry["level"] == "error" and entry.get("source") != "network":
                    self.problems.append(f"{entry['source']}: {entry['text']}")

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        await self.websocket.send(json.dumps({"id": number, "method": method, "params": params}))
        async with asyncio.timeout(GUARD_SECONDS):
            answer = await future
        if "error" in answer:
            raise PageError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise PageError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def wait_for(self, expression: str, what: str) -> Any:
        """Until ``expression`` is truthy in the page (guarded, never a fixed wait)."""
        try:
            async with asyncio.timeout(GUARD_SECONDS):
                # The page's own state is what changes: it can only be asked again.
                while not (value := await self.evaluate(expression)):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                return value
        except TimeoutError:
            text = await self.evaluate("document.body.innerText")
            await self.screenshot("failure")
            raise PageError(f"waited for {what}; page shows:\n{text}\n{self.problems}") from None

    async def wait_text(self, selector: str, text: str) -> None:
        await self.wait_for(
            f"[...document.querySelectorAll({json.dumps(selector)})]"
            f".some(e => e.innerText.includes({json.dumps(text)}))",
            f"{text!r} in {selector}",
        )

    async def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element, once it is there and enabled."""
        box = await self.wait_for(
            f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
              if (!e || e.disabled) return null; e.scrollIntoView({{block: 'center'}});
              const r = e.getBoundingClientRect();
              return r.width ? {{x: r.x + r.width / 2, y: r.y + r.height / 2}} : null; }})()""",
            f"{selector} to click",
        )
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    async def type(self, selector: str, text: str) -> None:
        """Replace the field's text as a person would: click, select all, type."""
        await self.click(selector)
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).select()")
        await self.send("Input.insertText", text=text)

    async def set_value(self, selector: str, value: str) -> None:
        """For controls without typed text (date pickers, selects): set and announce it."""
        await self.evaluate(
            f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
              e.value = {json.dumps(value)};
              e.dispatchEvent(new Event('input', {{bubbles: true}}));
              e.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"""
        )

    async def accessibility_problems(self) -> list[str]:
        """axe-core's serious and critical violations on what the page shows now (WCAG A/AA)."""
        if not await self.evaluate("typeof window.axe === 'object'"):
            await self.evaluate(AXE.read_text(encoding="utf-8"))
        violations = await self.evaluate(
            """axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})
              .then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
              .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"""
        )
        return list(violations)

    async def screenshot(self, name: str) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png")
        path = self.screenshots / f"{next(self._shots):02d}-{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def close(self) -> None:
        self._reader.cancel()
        await self.websocket.close()


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


async def _devtools_port(process: asyncio.subprocess.Process) -> int:
    assert process.stderr is not None
    async with asyncio.timeout(GUARD_SECONDS):
        while line := (await process.stderr.readline()).decode():
            if match := re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line):
                return int(match[1])
    raise PageError("Chromium exited before it listened for DevTools")


async def _drain(stream: asyncio.StreamReader | None) -> None:
    """Keep reading Chromium's log so that a full pipe never stalls it."""
    while stream is not None and await stream.read(65536):
        pass


@asynccontextmanager
async def chromium(screenshots: Path, camera: Path | None = None) -> AsyncIterator[Page]:
    """A fresh headless Chromium (own profile, UTC time zone) and its one tab; its camera, when
    asked for, plays ``camera`` (a Y4M video) and is allowed without a prompt."""
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    await asyncio.to_thread(screenshots.mkdir, parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *FLAGS,
        *(
            (
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}",
            )
            if camera
            else ()
        ),
        f"--user-data-dir={profile}",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "about:blank",
        env={**os.environ, "TZ": "UTC"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        port = await _devtools_port(process)
        drain = asyncio.create_task(_drain(process.stderr))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            targets = (await http.get("/json/list")).json()
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        async with connect(url, max_size=None) as websocket:
            page = Page(websocket, screenshots)
            for domain in ("Page", "Runtime", "Log"):
                await page.send(f"{domain}.enable")
            await page.send("Emulation.setTimezoneOverride", timezoneId="UTC")
            try:
                yield page
            finally:
                await page.close()
    finally:
        if process.returncode is None:
            process.terminate()
        try:
            async with asyncio.timeout(GUARD_SECONDS):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
        if "drain" in locals():
            drain.cancel()
        shutil.rmtree(profile, ignore_errors=True)
