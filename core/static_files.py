"""Static files: one URL prefix per theme and per plugin, fingerprinted URLs, long caching."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send


class CachedStaticFiles(StaticFiles):
    """Static files with a year-long cache for fingerprinted requests (``?v=...``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        versioned = b"v=" in scope.get("query_string", b"")

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and versioned:
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, send_with_cache)


@lru_cache(maxsize=1024)
def fingerprint(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


class StaticURLs:
    """Builds ``/static/t/THEME/FILE?v=HASH`` and ``/static/p/PLUGIN/FILE?v=HASH`` URLs."""

    def __init__(self, roots: dict[str, Path]) -> None:
        self.roots = roots  # "t/default" -> folder, "p/quiz" -> folder

    def __call__(self, path: str) -> str:
        prefix, _, rest = path.partition("/")
        owner, _, file = rest.partition("/")
        root = self.roots.get(f"{prefix}/{owner}")
        version = fingerprint(root / file) if root else "0"
        return f"/static/{path}?v={version}"
