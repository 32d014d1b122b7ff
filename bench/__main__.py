"""``python -m bench`` runs every benchmark module of this folder (each has ``main() -> int``);
``python -m bench plugin_layer`` runs only the ones named; ``python -m bench seed ...`` fills a
database with growth data (``--help`` for its options). Modules whose name starts with ``_`` are
helpers, not benchmarks."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


def run(argv: list[str]) -> int:
    if argv[:1] == ["seed"]:
        from bench._seed import main as seed

        return seed(argv[1:])
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
