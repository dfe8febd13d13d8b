"""What the API's clients run against it (clients/, npm): the GraphQL-over-HTTP audit of
graphql-http on the running app, and GraphQL Code Generator over the schema and the operation
documents (a change that breaks a field a client uses fails here)."""

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
from starlette.applications import Starlette

from tests.conftest import ROOT
from tests.support.live import serve

CLIENTS = ROOT / "clients"
GUARD_SECONDS = 300.0


def _node_tools() -> Path:
    """clients/node_modules (`make test` runs `npm ci` there); skipped outside make test only."""
    modules = CLIENTS / "node_modules"
    if shutil.which("node") is None or not modules.is_dir():
        if os.environ.get("XUTHANH_REQUIRE_NODE_TESTS"):
            pytest.fail("clients/node_modules is missing: `npm ci --prefix clients`")
        pytest.skip("node tools not installed (make test installs them: npm ci --prefix clients)")
    return modules


async def run(*command: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=CLIENTS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(GUARD_SECONDS):
        output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_graphql_over_http_audit_passes_every_audit(app: Starlette) -> None:
    _node_tools()
    async with serve(app) as url:
        code, output = await run("node", "audit.mjs", url.replace("ws://", "http://"))
    report = json.loads(output[output.index("{") :])
    assert report["failed"] == [], json.dumps(report["failed"], indent=1)
    # graphql-http 1.23.1 runs 61 audits: every one passes, none is a warning.
    assert code == 0 and report["ok"] == report["total"] >= 61


async def test_code_generator_types_every_operation() -> None:
    modules = _node_tools()
    code, output = await run(
        str(modules / ".bin" / "graphql-codegen"), "--config", "codegen.ts", "--silent"
    )
    generated = CLIENTS / "generated" / "operations.ts"
    assert code == 0, output
    text = generated.read_text("utf-8")
    # One result type per operation, e.g. the queue screen's subscription.
    assert "export type QueueStatusSubscription = " in text
    assert "export type BookAppointmentMutation = " in text
