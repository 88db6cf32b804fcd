"""Benchmark of what a password costs: one sign-in, and importing accounts with generated ones.

    .venv/bin/python bench/sign_in.py                       # SQLite: var/bench-sign-in.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/konto_bench_sign_in \\
        .venv/bin/python bench/sign_in.py --accounts 10000

It prints:

- the stored hash's parameters and, for one password check (what a sign-in costs beyond an
  ordinary page), the processor time, the wall time and the memory it takes (peak RSS of a
  fresh process before and after), beside a password check with Django's own Argon2
  parameters (m=100 MiB, t=2, p=8) for comparison;
- `manage.py import_accounts` of --accounts new accounts with generated passwords into a
  fresh database, beside its floor: hashing the same number of passwords on every processor
  and nothing else.

The targets it is read against: one sign-in ≤ 40 ms of processor time and ≤ 50 MB; 10,000
accounts in ≤ 3 minutes on 2 cores. It is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import http_load  # after the project is on the path

BASE_DIR = http_load.BASE_DIR
SQLITE_FILE = BASE_DIR / "var" / "bench-sign-in.sqlite3"
CHECKS = 20


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "konto.settings")
    os.environ.setdefault("DEBUG", "1")  # only so that settings load without a SECRET_KEY
    import django

    django.setup()
    from django.conf import settings

    # Production-like for the measurement: with DEBUG every query was also written out for
    # the query log, an eighth of the import's time.
    settings.DEBUG = False


def _check_child(hasher: str) -> None:
    """In a fresh process: CHECKS password checks with one hasher; prints figures as JSON."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, get_hasher

    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    if hasher == "django":
        # The same algorithm name as Konto's, so it is used directly rather than by name.
        django_hasher = Argon2PasswordHasher()
        encoded = django_hasher.encode("correct horse battery", django_hasher.salt())

        def check() -> bool:
            return django_hasher.verify("correct horse battery", encoded)
    else:
        encoded = get_hasher().encode("correct horse battery", get_hasher().salt())

        def check() -> bool:
            return check_password("correct horse battery", encoded)

    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(CHECKS):
        assert check()
    print(
        json.dumps(
            {
                "hash": encoded.rsplit("$", 2)[0],
                "cpu_ms": (time.process_time() - cpu) / CHECKS * 1000,
                "wall_ms": (time.perf_counter() - wall) / CHECKS * 1000,
                "rss_before_mb": before_kb / 1024,
                "rss_after_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _check(url: str, hasher: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--check-child", hasher],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _hash_one(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)


def _hash_floor(count: int) -> float:
    """Seconds to hash `count` passwords on every processor, nothing else."""
    passwords = [f"generated-password-{n}" for n in range(count)]
    started = time.perf_counter()
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(_hash_one, passwords, chunksize=64))
    return time.perf_counter() - started


def _import(count: int, workdir: Path) -> float:
    from django.core.management import call_command

    source = workdir / "accounts.csv"
    with source.open("w", encoding="utf-8") as out:
        out.write("login,email,first_name,last_name,numbers\n")
        for n in range(count):
            out.write(f"bench_{n:06d},bench{n}@example.com,Jan,Nowak,+4822{n:07d}\n")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "import_accounts",
        str(source),
        credentials=workdir / "credentials.csv",
        stdout=io.StringIO(),
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000, help="accounts to import")
    parser.add_argument("--check-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_FILE}"
    postgres = url.startswith(("postgres://", "postgresql://"))

    if args.check_child:
        _setup(url)
        _check_child(args.check_child)
        return

    print(f"{os.cpu_count()} CPUs; {url.split('://')[0]}")
    print(f"\n  {'one password check':<34}{'CPU ms':>8}{'wall ms':>9}{'RSS MB':>8}{'+MB':>6}")
    for label, hasher in [("Konto (accounts.hashers)", "konto"), ("Django's Argon2", "django")]:
        figures = _check(url, hasher)
        print(
            f"  {label:<34}{figures['cpu_ms']:>8.1f}{figures['wall_ms']:>9.1f}"
            f"{figures['rss_after_mb']:>8.0f}"
            f"{figures['rss_after_mb'] - figures['rss_before_mb']:>6.0f}   {figures['hash']}"
        )

    if postgres:
        http_load.fresh_database(url)
    else:
        SQLITE_FILE.unlink(missing_ok=True)
    _setup(url)
    try:
        floor = _hash_floor(args.accounts)
        with tempfile.TemporaryDirectory() as workdir:
            seconds = _import(args.accounts, Path(workdir))
        print(
            f"\n  import_accounts of {args.accounts:,} with generated passwords: {seconds:.1f} s"
            f"\n  floor, hashing {args.accounts:,} passwords on {os.cpu_count()} processes: "
            f"{floor:.1f} s\n  ratio: {seconds / floor:.2f}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if postgres:
            http_load.drop_database(url)
        else:
            SQLITE_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
