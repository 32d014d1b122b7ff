"""The htmx file served to browsers is exactly the pinned release written next to it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "themes" / "default" / "static"


def _pinned() -> dict[str, str]:
    fields = {}
    for line in (STATIC / "htmx.min.js.VERSION").read_text().splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith(" "):
            fields[key.strip()] = value.strip()
    return fields


def test_htmx_sha256_matches_the_pinned_version_file():
    pinned = _pinned()
    digest = hashlib.sha256((STATIC / "htmx.min.js").read_bytes()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", pinned["sha256"])
    assert digest == pinned["sha256"]


def test_htmx_file_is_the_version_it_claims():
    pinned = _pinned()
    assert pinned["package"].startswith("htmx.org")
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned["version"])
    source = (STATIC / "htmx.min.js").read_text()
    assert f'version:"{pinned["version"]}"' in source.replace(" ", "")


def test_htmx_is_served_with_the_static_files(declic):
    client = declic.client()
    page = client.get("/login")
    match = re.search(r'src="([^"]*htmx\.min\.js[^"]*)"', page.text)
    assert match, "the layout does not load htmx"
    answer = client.get(match.group(1))
    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).hexdigest() == _pinned()["sha256"]
