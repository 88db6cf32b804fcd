"""The committed server configuration: deploy/gunicorn.conf.py (what the Dockerfile runs) and
deploy/nginx/konto.conf (checked with `nginx -t` where nginx is installed)."""

from __future__ import annotations

import datetime
import gc
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX_CONF = ROOT / "deploy" / "nginx" / "konto.conf"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _environment(**env: str) -> dict[str, str]:
    names = ("WEB_CONCURRENCY", "GUNICORN_", "PORT", "DEBUG", "SECRET_KEY", "DATABASE_URL")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(names)}
    environment.update(env)
    return environment


def _gunicorn_settings(**env: str) -> dict[str, str]:
    """The settings gunicorn itself reads from the file (its --print-config)."""
    result = subprocess.run(
        [str(GUNICORN), "-c", str(GUNICORN_CONF), "--print-config"],
        cwd=ROOT,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    settings = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition("=")
        settings[name.strip()] = value.strip()
    return settings


def test_gunicorn_runs_threaded_workers_with_timeouts():
    settings = _gunicorn_settings()
    assert settings["worker_class"] == "gthread"
    assert int(settings["threads"]) > 1
    assert settings["timeout"] == "30"
    assert settings["graceful_timeout"] == "30"
    assert settings["keepalive"] == "5"
    assert settings["wsgi_app"] == "konto.wsgi:application"
    assert settings["bind"] == "['0.0.0.0:8000']"
    # Only the local nginx may say that a request came over HTTPS.
    assert settings["forwarded_allow_ips"] == "['127.0.0.1', '::1']"


def test_gunicorn_takes_its_sizes_and_timeouts_from_the_environment():
    settings = _gunicorn_settings(
        PORT="9001", WEB_CONCURRENCY="3", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="45"
    )
    assert settings["bind"] == "['0.0.0.0:9001']"
    assert settings["workers"] == "3"
    assert settings["threads"] == "8"
    assert settings["timeout"] == "45"


def test_each_worker_puts_what_it_loaded_out_of_the_collectors_reach():
    """A full collection went through every object Django had loaded, stopping the worker's
    requests for ~70 ms: the worker freezes them once it has loaded the portal."""
    assert _gunicorn_settings()["post_worker_init"] == "<post_worker_init()>"  # the file's
    namespace: dict[str, Any] = {}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), namespace)
    before = gc.get_freeze_count()
    try:
        namespace["post_worker_init"](object())
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_the_dockerfile_starts_gunicorn_with_this_file():
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]' in (ROOT / "Dockerfile").read_text()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_the_portal_with_this_file(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=_environment(
            WEB_CONCURRENCY="1",
            DEBUG="0",
            SECRET_KEY="gunicorn-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=f"sqlite:///{tmp_path / 'konto.sqlite3'}",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    assert r.status == 200
                    assert r.read() == b"ok\n"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Using worker: gthread" in output
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log on standard output


def _self_signed_certificate(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "konto.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_nginx_configuration_is_valid(tmp_path):
    # The shipped file as it is, but with a certificate made here (nginx -t loads it).
    _self_signed_certificate(tmp_path)
    site = NGINX_CONF.read_text().replace("/etc/ssl/konto/", f"{tmp_path}/")
    (tmp_path / "konto.conf").write_text(site)
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/logs/error.log;\n"
        "events {}\n"
        f"http {{ include {tmp_path}/konto.conf; }}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
