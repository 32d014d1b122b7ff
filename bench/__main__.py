"""``python -m bench`` runs every benchmark module of this folder (each has ``main() -> int``);
``python -m bench plugin_layer`` runs only the ones named."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


def run(argv: list[str]) -> int:
    names = argv or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    status = 0
    for name in names:
        print(f"=== {name} ===", flush=True)
        module = importlib.import_module(f"bench.{name}")
        status = max(status, int(module.main() or 0))
    return status


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
