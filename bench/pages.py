"""Benchmark of the pages people open, on gunicorn, beside the floors of the same stack.

    .venv/bin/python bench/pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/konto_bench_pages \\
        CACHE_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/pages.py --calls 1000000

As production serves them: gunicorn with deploy/gunicorn.conf.py (gthread, WEB_CONCURRENCY ×
GUNICORN_THREADS), production settings (DEBUG off), PostgreSQL and Redis. It

- drops and creates the PostgreSQL database named in DATABASE_URL (a name of its own, never a
  real database; dropped again at the end unless --keep) and flushes the Redis database named
  in CACHE_URL (likewise one of its own);
- fills one customer account with --calls calls over two years (bench/calls.py's data) and the
  database with --accounts further accounts, for the admin's lists;
- signs a customer and a staff member (verified by two-step, as the admin requires) in;
- for 1, 8 and 32 concurrent clients, each connecting anew for every request as nginx does
  (http_load.measure says why that matters), measures every page for --seconds, in
  --rounds interleaved rounds (every page, then every page again), and prints the medians of
  requests/s, p50 and p99 and each page's share of the floors' throughput: the login page (the
  same stack with no data) and /bench/signed-in (a customer page that reads the session and the
  user with the account, and nothing else; bench/urls.py).

The issue's targets, for reading the table: the Pulpit at ≥ 0.5 of the login page at 8 clients,
every customer page's p99 < 100 ms at 8 clients, the admin's pages < 100 ms. It is a benchmark,
not a test: it asserts nothing and prints numbers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import http_load  # after the project is on the path

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/konto_bench_pages"
DEFAULT_CACHE = "redis://127.0.0.1:6379/14"
CONCURRENCY = (1, 8, 32)
ACCOUNTS_BATCH = 10_000


def _fill(calls: int, accounts: int) -> tuple[str, str, int]:
    """Fill the database; returns the customer's and the staff member's cookies and the primary
    key of the customer's account (for its admin page)."""
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Account, User
    from bench.calls import LOGIN, fill_calls

    cache.clear()  # the bench's own Redis database: nothing of an earlier run
    fill_calls(calls)
    unusable = make_password(None)
    for start in range(0, accounts, ACCOUNTS_BATCH):
        users = User.objects.bulk_create(
            User(username=f"bench_{n:06d}", password=unusable, first_name="Jan", last_name="Nowak")
            for n in range(start, min(start + ACCOUNTS_BATCH, accounts))
        )
        Account.objects.bulk_create(
            Account(user=user, account_id=user.username, phone=f"+4822{n:07d}")
            for n, user in enumerate(users, start=start)
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    customer = Client()
    customer.force_login(User.objects.get(username=LOGIN))
    staff_user = User.objects.create_user(
        "bench_staff", password=None, is_staff=True, is_superuser=True
    )
    staff = Client()
    staff.force_login(staff_user)
    device = TOTPDevice.objects.create(user=staff_user, name="bench", confirmed=True)
    session = staff.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    account_pk = Account.objects.get(account_id=LOGIN).pk
    return _cookie_header(customer, "/"), _cookie_header(staff, "/admin/"), account_pk


def _cookie_header(client, page: str) -> str:
    """The cookies a browser sends after its first page: the session's, and the CSRF cookie
    that page's forms set (without it, every page would make and set a new one)."""
    assert client.get(page, HTTP_HOST="127.0.0.1").status_code == 200, page
    return "; ".join(f"{name}={client.cookies[name].value}" for name in ("sessionid", "csrftoken"))


def _cases(last_page: int, account_pk: int) -> list[tuple[str, str, str]]:
    """(label, who, path) of every page measured; who is "anonymous", "customer" or "staff"."""
    return [
        ("floor: login page", "anonymous", "/login/"),
        ("floor: signed-in bare view", "customer", "/bench/signed-in"),
        ("Pulpit", "customer", "/"),
        ("Spis połączeń, first page", "customer", "/calls/"),
        ("Spis połączeń, last page", "customer", f"/calls/?page={last_page}"),
        ("Spis połączeń, number 601", "customer", "/calls/?number=601"),
        ("Historia salda", "customer", "/balance/"),
        ("Mój profil", "customer", "/profile/"),
        ("Ustawienia", "customer", "/profile/settings/"),
        ("Bezpieczeństwo", "customer", "/profile/security/"),
        ("admin: accounts list", "staff", "/admin/accounts/account/"),
        ("admin: account page", "staff", f"/admin/accounts/account/{account_pk}/change/"),
        ("admin: calls list", "staff", "/admin/accounts/callrecord/"),
        ("admin: accounts search", "staff", "/admin/accounts/account/?q=Jan+Nowak"),
        ("admin: calls search", "staff", "/admin/accounts/callrecord/?q=601"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000, help="calls of the customer")
    parser.add_argument("--accounts", type=int, default=100_000, help="further accounts")
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    cache_url = os.environ.get("CACHE_URL") or DEFAULT_CACHE
    http_load.fresh_database(database_url)
    env = http_load.environment(database_url, cache_url)
    server = None
    try:
        http_load.setup_django(env)
        customer, staff, account_pk = _fill(args.calls, args.accounts)
        from django.db import connections

        connections.close_all()
        port = http_load.free_port()
        server = http_load.start_gunicorn(env, port)
        print(
            f"gunicorn gthread {env.get('WEB_CONCURRENCY', '2')} workers × "
            f"{env.get('GUNICORN_THREADS', '4')} threads, {os.cpu_count()} CPUs; PostgreSQL, "
            f"{cache_url.split('://')[0]} cache; {args.calls:,} calls of the customer, "
            f"{args.accounts:,} further accounts; {args.seconds:g} s per measurement"
        )
        cookies = {
            "anonymous": b"",
            "customer": f"Cookie: {customer}\r\n".encode(),
            "staff": f"Cookie: {staff}\r\n".encode(),
        }
        cases = _cases(-(-args.calls // 50), account_pk)
        if args.only:
            cases = cases[:2] + [case for case in cases[2:] if args.only in case[0]]
        for clients in CONCURRENCY:
            print(
                f"\n{clients} clients (medians of {args.rounds} interleaved rounds)\n"
                f"  {'page':<30}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'of login':>10}"
                f"{'of bare':>9}"
            )
            rounds: list[list[dict[str, float]]] = [[] for _ in cases]
            for _round in range(args.rounds):
                for n, (_label, who, path) in enumerate(cases):
                    rounds[n].append(
                        http_load.measure(
                            port,
                            _constant(path),
                            cookies[who],
                            clients,
                            args.seconds,
                            connect_per_request=True,
                        )
                    )
            medians = [
                {
                    key: statistics.median(figures[key] for figures in run)
                    for key in ("rps", "p50", "p99", "errors")
                }
                for run in rounds
            ]
            # The first two cases are the floors.
            login, bare = medians[0]["rps"], medians[1]["rps"]
            for (label, _who, _path), figures in zip(cases, medians, strict=True):
                print(
                    f"  {label:<30}{figures['rps']:>8.0f}{figures['p50']:>9.1f}"
                    f"{figures['p99']:>9.1f}{figures['rps'] / login:>10.2f}"
                    f"{figures['rps'] / bare:>9.2f}"
                    + (f"  (non-200: {figures['errors']:.0f})" if figures["errors"] else ""),
                    flush=True,
                )
    finally:
        if server is not None:
            http_load.stop_gunicorn(server)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            http_load.drop_database(database_url)


def _constant(path: str) -> Callable[[], str]:
    return lambda: path


if __name__ == "__main__":
    main()
