"""``python -m bench seed``: fill a database with the quiz scenario and growth data, with bulk
inserts (one INSERT per table and 5,000 rows), for benchmarks and for trying pages by hand.

    python -m bench seed --database-url sqlite:///var/big.sqlite3 --users 100000 \\
        --orgs 1000 --questions 10000 --attempts 10000 --out var/scenario.json

The database is migrated first when it has no tables. Prints the time taken and where the
scenario (organisation, quiz, learners' login codes) was written.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench._scenario import QUESTIONS, seed_quiz


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench seed", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--learners", type=int, default=1, help="learners with a login code")
    p.add_argument("--users", type=int, default=100, help="users in all (learners included)")
    p.add_argument("--orgs", type=int, default=1, help="organisations in all")
    p.add_argument("--questions", type=int, default=100, help="questions in the bank in all")
    p.add_argument("--attempts", type=int, default=10, help="past (finished) attempts")
    p.add_argument("--secret-key", default=None, help="the platform's DECLIC_SECRET_KEY")
    p.add_argument("--out", type=Path, default=None, help="where to write the scenario JSON")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    from core.db import make_engine
    from core.migrate import upgrade
    from core.testing import make_host

    began = time.perf_counter()
    engine = make_engine(args.database_url)
    upgrade(engine, make_host())
    engine.dispose()
    scenario = seed_quiz(
        args.database_url,
        args.learners,
        secret_key=args.secret_key,
        extra_orgs=max(0, args.orgs - 1),
        extra_users=max(0, args.users - args.learners),
        extra_questions=max(0, args.questions - QUESTIONS),
        past_attempts=args.attempts,
    )
    took = time.perf_counter() - began
    if args.out:
        scenario.save(args.out)
    print(
        f"seeded in {took:.1f} s: {args.orgs} organisations, {args.users} users, "
        f"{args.questions} questions, {args.attempts} past attempts"
        + (f"; scenario in {args.out}" if args.out else "")
    )
    return 0
