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
- starts gunicorn on a free port with bench/switch_settings.py (the portal's URLs plus a bare
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
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/konto_bench_switch"
DEFAULT_CACHE = "redis://127.0.0.1:6379/13"
CONCURRENCY = (1, 16, 64)


def _postgres_admin(url: str, sql: str) -> None:
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _environment(database_url: str, cache_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.switch_settings",
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback, as the proxy calls the portal in the bench.
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(BASE_DIR),
            # No recycling of workers in the middle of a measurement.
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_LOG_LEVEL": "warning",
        }
    )
    return env


def _prepare(env: dict[str, str], accounts: int, rules: int) -> tuple[str, list[str], list[str]]:
    """Migrate and fill the database; returns (token, callee numbers, calling account IDs)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    env = {**env, "PORT": str(port)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            # One access-log line per request would be measured too; nginx logs in production.
            "--access-logfile",
            "/dev/null",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


async def _client(
    port: int, paths, headers: bytes, until: float, latencies: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            path = next(paths)
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + headers + b"\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


def _paths(make):
    while True:
        yield make()


async def _measure(port: int, make_path, headers: bytes, clients: int, seconds: float):
    # A short warm-up (connections, caches) that is not counted.
    warm: list[float] = []
    until = time.perf_counter() + min(1.0, seconds / 4)
    await asyncio.gather(
        *(_client(port, _paths(make_path), headers, until, warm, []) for _ in range(clients))
    )
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(
            _client(port, _paths(make_path), headers, until, latencies, errors)
            for _ in range(clients)
        )
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": len(errors),
        "requests": len(latencies),
    }


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
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database of the bench's own.")
    cache_url = os.environ.get("CACHE_URL") or DEFAULT_CACHE
    name = _database_name(database_url)
    _postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
    _postgres_admin(database_url, f'CREATE DATABASE "{name}"')
    env = _environment(database_url, cache_url)
    server = None
    try:
        token, numbers, callers = _prepare(env, args.accounts, args.rules)
        from django.db import connections

        connections.close_all()
        port = _free_port()
        server = _start_gunicorn(env, port)
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
            decision = asyncio.run(_measure(port, decision_path, auth, clients, args.seconds))
            bare = asyncio.run(_measure(port, lambda: "/bench/bare", b"", clients, args.seconds))
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
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
