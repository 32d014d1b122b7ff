"""``python -m bench._serve APP PORT WORKERS``: serve an application factory on 127.0.0.1 the
way ``declic run`` does (``core.serve``), without the per-request log. The bare floor and
Déclic both go through here, so they are served the same way."""

from __future__ import annotations

import sys

from core.serve import serve


def main(argv: list[str]) -> int:
    app, port, workers = argv[0], int(argv[1]), int(argv[2])
    serve(app, host="127.0.0.1", port=port, workers=workers, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
