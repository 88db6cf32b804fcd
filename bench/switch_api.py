"""Benchmark of the switch API's routing decision (GET /switch/v1/route) on gunicorn.

    .venv/bin/python bench/switch_api.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/konto_bench_switch \\
        CACHE_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/switch_api.py

The proxy asks for a decision on every call setup, so this measures it as production serves
it: gunicorn with deploy/gunicorn.conf.py (gthread, WEB_CONCURRENCY × GUNICORN_THREADS),
production settings (DEBUG off), PostgreSQL and Redis. It

- drops and creates the PostgreSQL database named in DATABASE_URL (use a name of its own,
  never a real database; dropped again at the end unless --keep), migrates it, and flushes
  the Redis database named in CACHE_URL (likewise: one of its own);
- makes --accounts accounts with a number each, call screening on and --rules rules each
  (the last one matching), and a switch token;
- starts gunicorn on a free port with bench/settings.py (the portal's URLs plus a bare
  Django JSON view, /bench/bare, behind the same middleware);
- for 1, 16 and 64 concurrent clients (keep-alive connections), sends requests for --seconds
  to the decision (a random callee and calling account each time) and then to the bare view,
  and prints requests/s, p50 and p99 of each, and the decision's share of the bare view's
  throughput.

The load generator runs on the same machine, so both columns pay for it alike. It is a
benchmark, not a test: it asserts nothing and prints numbers.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import http_load  # after the project is on the path

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/konto_bench_switch"
DEFAULT_CACHE = "redis://127.0.0.1:6379/13"
CONCURRENCY = (1, 16, 64)


def _prepare(env: dict[str, str], accounts: int, rules: int) -> tuple[str, list[str], list[str]]:
    """Migrate and fill the database; returns (token, callee numbers, calling account IDs)."""
    http_load.setup_django(env)
    from django.core.cache import cache

    from accounts.models import Account, PhoneNumber, User
    from accounts.switch_api.tokens import create_token
    from centrex.screening.models import ScreeningRule

    cache.clear()  # the Redis database of the bench: stale generations of an earlier run
    users = User.objects.bulk_create(
        User(username=f"bench_{n}", password="!") for n in range(accounts)
    )
    created = Account.objects.bulk_create(
        Account(user=user, account_id=user.username, call_screening_enabled=True) for user in users
    )
    numbers = [f"4822{n:07d}" for n in range(accounts)]
    PhoneNumber.objects.bulk_create(
        PhoneNumber(account=account, number=number)
        for account, number in zip(created, numbers, strict=True)
    )
    ScreeningRule.objects.bulk_create(
        ScreeningRule(
            account=account,
            position=position,
            name=f"Rule {position}",
            caller_patterns="\n".join(
                [f"+4870{position:07d}", "+4850%"] if position < rules - 1 else ["+48601%"]
            ),
            action=ScreeningRule.Action.REJECT
            if position < rules - 1
            else ScreeningRule.Action.VOICEMAIL,
        )
        for account in created
        for position in range(rules)
    )
    _token, plaintext = create_token("bench", actor="bench/switch_api.py")
    return plaintext, numbers, [account.account_id for account in created]


def _warm_every_account(port: int, token: str, numbers: list[str]) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for number in numbers:
        connection.request(
            "GET", f"/switch/v1/route?to={number}", headers={"Authorization": f"Bearer {token}"}
        )
        connection.getresponse().read()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=10, help="rules per account")
    parser.add_argument("--seconds", type=float, default=8.0, help="per measurement")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    cache_url = os.environ.get("CACHE_URL") or DEFAULT_CACHE
    http_load.fresh_database(database_url)
    env = http_load.environment(database_url, cache_url)
    server = None
    try:
        token, numbers, callers = _prepare(env, args.accounts, args.rules)
        from django.db import connections

        connections.close_all()
        port = http_load.free_port()
        server = http_load.start_gunicorn(env, port)
        workers = env.get("WEB_CONCURRENCY", "2")
        threads = env.get("GUNICORN_THREADS", "4")
        print(
            f"gunicorn gthread {workers} workers × {threads} threads, {os.cpu_count()} CPUs; "
            f"PostgreSQL, {cache_url.split('://')[0]} cache; {args.accounts} accounts × "
            f"{args.rules} rules; {args.seconds:g} s per measurement"
        )
        auth = f"Authorization: Bearer {token}\r\n".encode()
        rng = random.Random(13)

        def decision_path() -> str:
            to, caller = rng.choice(numbers), rng.choice(callers)
            return f"/switch/v1/route?to={to}&from=%2B48601234567&account={caller}"

        # Every account's rules into the cache first, as on a proxy that has been running:
        # measured cold, most decisions would be cache misses that a live system rarely has.
        _warm_every_account(port, token, numbers)

        print(
            f"{'clients':>7}  {'decision req/s':>14} {'p50 ms':>7} {'p99 ms':>7}  "
            f"{'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7}  {'share':>6}"
        )
        for clients in CONCURRENCY:
            decision = http_load.measure(port, decision_path, auth, clients, args.seconds)
            bare = http_load.measure(port, lambda: "/bench/bare", b"", clients, args.seconds)
            share = decision["rps"] / bare["rps"] * 100
            print(
                f"{clients:>7}  {decision['rps']:>14.0f} {decision['p50']:>7.2f} "
                f"{decision['p99']:>7.2f}  {bare['rps']:>10.0f} {bare['p50']:>7.2f} "
                f"{bare['p99']:>7.2f}  {share:>5.0f}%"
                + (
                    f"  (non-200: {decision['errors']} / {bare['errors']})"
                    if decision["errors"] or bare["errors"]
                    else ""
                ),
                flush=True,
            )
    finally:
        if server is not None:
            http_load.stop_gunicorn(server)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            http_load.drop_database(database_url)


if __name__ == "__main__":
    main()
