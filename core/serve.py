"""Serving an ASGI application with uvicorn: one process, or N worker processes sharing one
listening socket (``declic run --workers N``, and the benchmarks, which serve the bare floor
and Déclic through the same function).

Why not ``uvicorn.run``: with ``workers > 1`` uvicorn (0.54) creates the shared listening socket
with ``proto`` 0. Accepted connections inherit it, and asyncio turns Nagle's algorithm off
(``TCP_NODELAY``) only for sockets that say ``IPPROTO_TCP``. With Nagle on, a response written
in two parts (headers, then the gzipped body) waits for the client's delayed ACK: every
keep-alive request after the first took about 40 ms more (quiz question page: 48 ms median with
two workers against 4.4 ms with one, on the same machine; uvicorn issue #3149). Behind nginx,
whose upstream connections are kept alive, that would be every request. Here the listener is
created as a TCP socket, so every connection gets ``TCP_NODELAY`` as with one worker.
"""

from __future__ import annotations

import logging
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

log = logging.getLogger("uvicorn.error")


class _Config(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        if self.uds is not None or self.fd is not None:
            return super().bind_socket()
        return tcp_listener(self.host, self.port)


def tcp_listener(host: str, port: int) -> socket.socket:
    """A listening TCP socket that worker processes can inherit, declared as ``IPPROTO_TCP`` so
    that the connections accepted on it get ``TCP_NODELAY`` from asyncio."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    log.info("Listening on %s:%d", host, sock.getsockname()[1])
    return sock


def serve(
    app: str,
    *,
    host: str,
    port: int,
    workers: int = 1,
    factory: bool = True,
    log_level: str = "info",
    access_log: bool = True,
) -> None:
    """Serve ``app`` (an import string such as ``core.app:create_app``) until interrupted.
    Raises ``OSError`` when the address cannot be listened on (in use, not this machine's)."""
    config = _Config(
        app,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
    )
    sock = config.bind_socket()
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
