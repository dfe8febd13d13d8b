"""The test's load balancer keeps nginx's default semantics: a request that reached an API which
then failed is retried on another one only if it is a read; a refused connection moves on."""

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.cluster.balancer import Balancer


async def _server(answer: bool) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if answer:
            body = b"ok"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + body)
            await writer.drain()
        writer.close()  # the failing one: took the request, gave no answer

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def balancer() -> AsyncIterator[Balancer]:
    failing, failing_port = await _server(answer=False)
    healthy, healthy_port = await _server(answer=True)
    lb = Balancer(
        [
            (h, p)
            for h, p in (
                ("127.0.0.1", _closed_port()),
                ("127.0.0.1", failing_port),
                ("127.0.0.1", healthy_port),
            )
        ]
    )
    lb.start()
    try:
        yield lb
    finally:
        lb.stop()
        for server in (failing, healthy):
            server.close()


async def test_reads_are_retried_and_writes_are_not(balancer: Balancer) -> None:
    async with httpx.AsyncClient(base_url=balancer.url) as http:
        reads = [await http.get("/readyz") for _ in range(6)]
        writes = [await http.post("/graphql", json={}) for _ in range(6)]
    assert [r.status_code for r in reads] == [200] * 6
    # Round robin: 2 of 6 start at the closed port (moved on to the failing one), 2 at the
    # failing one; those 4 reached it and got nothing back: 502, left to the client.
    assert sorted(r.status_code for r in writes) == [200, 200, 502, 502, 502, 502]
    assert balancer.retried_reads == 4 and balancer.answered_502 == 4
