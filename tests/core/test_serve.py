"""core.serve: the listening socket gives every accepted connection TCP_NODELAY, with one
worker or several (uvicorn's own shared socket for N workers did not: ~40 ms per keep-alive
request, see the module's docstring). A busy port: tests/core/test_cli.py."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from core.serve import tcp_listener


def _nodelay_of_accepted_connection(listener: socket.socket) -> int:
    """Serve ``listener`` with asyncio (as uvicorn does), connect once, and read TCP_NODELAY on
    the server's side of the connection."""
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        port = listener.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen, "no connection was accepted"
    return seen[0]


def test_connections_on_declics_listener_have_nodelay():
    listener = tcp_listener("127.0.0.1", 0)
    assert listener.proto == socket.IPPROTO_TCP
    assert listener.get_inheritable()  # worker processes inherit it
    assert _nodelay_of_accepted_connection(listener) == 1


def test_uvicorns_own_shared_listener_still_lacks_nodelay():
    """The reason core.serve exists. When this fails, uvicorn has fixed its issue #3149: the
    workaround (core.serve._Config.bind_socket) can go."""
    listener = uvicorn.Config("core.app:create_app", host="127.0.0.1", port=0).bind_socket()
    assert _nodelay_of_accepted_connection(listener) == 0
