"""What the HTTP benches share: a throwaway PostgreSQL database, gunicorn started as production
runs it (deploy/gunicorn.conf.py), and a load generator of clients.

The load generator runs on the same machine as the server, so every figure a bench prints
beside its floor pays for it alike.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def postgres_admin(url: str, sql: str) -> None:
    """Run CREATE/DROP DATABASE on the server's `postgres` database (not in a transaction)."""
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def fresh_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database of the bench's own.")
    name = database_name(url)
    postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    postgres_admin(url, f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    postgres_admin(url, f'DROP DATABASE IF EXISTS "{database_name(url)}"')


def environment(database_url: str, cache_url: str) -> dict[str, str]:
    """Production settings (bench/settings.py) on plain HTTP over the loopback."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(BASE_DIR),
            # No recycling of workers in the middle of a measurement.
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_LOG_LEVEL": "warning",
        }
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    """Migrate the bench's database, collect the static files production settings serve by
    their hashed names, and set Django up in this process with the same settings."""
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
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


def stop_gunicorn(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


async def _read_body(reader: asyncio.StreamReader, head: bytes) -> None:
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return
    length = 0
    for line in headers.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)


async def _client(
    port: int,
    paths: Iterator[str],
    headers: bytes,
    until: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    """One keep-alive client: its requests go one after another over one connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            path = next(paths)
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + headers + b"\r\n")
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                await _read_body(reader, head)
            except asyncio.IncompleteReadError:
                # The server closed the connection (as gunicorn does after an error): count
                # it and go on with a new one.
                errors.append(0)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def _client_connecting_per_request(
    port: int,
    paths: Iterator[str],
    headers: bytes,
    until: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    """One client that connects anew for every request, as nginx talks to gunicorn
    (deploy/nginx/konto.conf keeps no upstream connections open); the connection is part of
    the time measured."""
    while time.perf_counter() < until:
        path = next(paths)
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode()
                + headers
                + b"\r\n"
            )
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                await _read_body(reader, head)
            except asyncio.IncompleteReadError:
                errors.append(0)
                continue
        finally:
            writer.close()
        latencies.append(time.perf_counter() - started)
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            errors.append(status)


def _paths(make: Callable[[], str]) -> Iterator[str]:
    while True:
        yield make()


async def _measure(
    port: int,
    make_path: Callable[[], str],
    headers: bytes,
    clients: int,
    seconds: float,
    client: Callable[..., Awaitable[None]],
) -> dict[str, float]:
    # A short warm-up (connections, caches) that is not counted.
    warm: list[float] = []
    until = time.perf_counter() + min(1.0, seconds / 4)
    await asyncio.gather(
        *(client(port, _paths(make_path), headers, until, warm, []) for _ in range(clients))
    )
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(
            client(port, _paths(make_path), headers, until, latencies, errors)
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


def measure(
    port: int,
    make_path: Callable[[], str],
    headers: bytes,
    clients: int,
    seconds: float,
    *,
    connect_per_request: bool = False,
) -> dict[str, float]:
    """Requests/s, p50 and p99 (ms) and non-200 answers of `clients` clients sending GETs of
    `make_path()` with `headers` for `seconds`, after a short warm-up.

    The clients keep their connections open unless `connect_per_request`. A kept connection
    stays with the gunicorn worker that accepted it, so with few clients the workers' shares
    are left to chance: at even odds, 8 clients on 2 workers split 4/4 only about one time in
    four, and a 6/2 split leaves one worker's core half idle (the login page gave 510, 510, 203 and
    209 req/s in four rounds of one run). A client that connects per request goes to whichever
    worker accepts first, as every request from nginx does.
    """
    client = _client_connecting_per_request if connect_per_request else _client
    return asyncio.run(_measure(port, make_path, headers, clients, seconds, client))
