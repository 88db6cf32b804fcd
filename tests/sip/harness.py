"""The real thing, driven from tests: the project's proxy (deploy/kamailio/start) and baresip
phones controlled through baresip's ctrl_tcp module (netstring-framed JSON commands and
events). Every wait is for a condition, with a deadline; every process is stopped."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

START = Path(__file__).resolve().parents[2] / "deploy" / "kamailio" / "start"
TIMEOUT = 10.0


def wait_for(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_sip_port() -> int:
    """A port free for UDP and TCP alike: baresip 1.0 opens its SIP port on both, whatever
    `sip_transports` says, so a port only UDP had free failed now and then with "Address
    already in use" when the same number was some TCP connection's ephemeral port."""
    while True:
        port = free_port(socket.SOCK_DGRAM)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def available() -> bool:
    return bool(shutil.which("kamailio") or Path("/usr/sbin/kamailio").exists()) and bool(
        shutil.which("baresip")
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Proxy:
    """deploy/kamailio/start on a free UDP port; `log` is its output so far."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.port = free_port(socket.SOCK_DGRAM)
        self.address = f"127.0.0.1:{self.port}"
        self.log_path = tmp / "kamailio.log"
        env = {**os.environ, **env, "SIP_LISTEN": f"udp:{self.address}"}
        with self.log_path.open("wb") as log:
            # A session of its own: stop() waits for every Kamailio process of it, so that none
            # still holds a connection to the test database when pytest drops it.
            self.process = subprocess.Popen(
                [str(START)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(self._answers_options, "the proxy to answer OPTIONS")

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _answers_options(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the proxy stopped:\n{self.log[-3000:]}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            sock.settimeout(0.2)
            message = (
                f"OPTIONS sip:{self.address} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{time.monotonic_ns()}\r\n"
                "From: <sip:probe@127.0.0.1>;tag=probe\r\n"
                f"To: <sip:{self.address}>\r\nCall-ID: probe-{time.monotonic_ns()}\r\n"
                "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
            )
            sock.sendto(message.encode(), ("127.0.0.1", self.port))
            try:
                return sock.recv(4096).startswith(b"SIP/2.0 200")
            except OSError:
                return False

    def stop(self) -> None:
        _stop(self.process)
        # Kamailio's children may outlive the main process for a moment.
        group = self.process.pid
        deadline = time.monotonic() + 5
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(group):
            os.killpg(group, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


class Phone:
    """A headless baresip, its audio looped to nothing (aubridge), answering automatically."""

    def __init__(self, tmp: Path, name: str, proxy: Proxy, *, sip_port: int = 0) -> None:
        """`sip_port`: where the phone takes SIP (a free port by default), for a phone that is
        called at its address rather than through a registration."""
        self.proxy = proxy
        self.events: list[dict] = []
        self._buffer = b""
        home = tmp / name
        home.mkdir()
        ctrl_port = free_port(socket.SOCK_STREAM)
        (home / "accounts").write_text("")
        (home / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    f"sip_listen 127.0.0.1:{sip_port}",
                    "sip_transports udp",
                    f"audio_player aubridge,{name}",
                    f"audio_source aubridge,{name}",
                    f"audio_alert aubridge,{name}",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module aubridge.so",
                    "module_tmp account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    f"ctrl_tcp_listen 127.0.0.1:{ctrl_port}",
                    "",
                ]
            )
        )
        self.log_path = home / "baresip.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                ["baresip", "-f", str(home)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.sock = wait_for(lambda: self._connect(ctrl_port), f"baresip {name}'s ctrl_tcp")
        self.sock.settimeout(0.05)

    def _connect(self, port: int) -> socket.socket | None:
        if self.process.poll() is not None:
            raise AssertionError(self.log_path.read_text(errors="replace"))
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=0.2)
        except OSError:
            return None

    def command(self, name: str, params: str = "") -> None:
        body = json.dumps({"command": name, "params": params, "token": name}).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")

    def _read(self) -> None:
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return
        self._buffer += data
        while b":" in self._buffer:
            length, rest = self._buffer.split(b":", 1)
            size = int(length)
            if len(rest) < size + 1:
                break
            self.events.append(json.loads(rest[:size]))
            self._buffer = rest[size + 1 :]

    def event(self, kind: str, timeout: float = TIMEOUT) -> dict:
        """The first event of this type (REGISTER_OK, CALL_INCOMING, CALL_CLOSED …)."""

        def seen() -> dict | None:
            self._read()
            return next((e for e in self.events if e.get("type") == kind), None)

        return wait_for(seen, f"baresip event {kind}", timeout)

    def saw(self, kind: str) -> bool:
        self._read()
        return any(e.get("type") == kind for e in self.events)

    def register(self, aor: str, password: str, *, answer: bool = True) -> None:
        """Register `aor`; the phone answers calls by itself unless `answer` is False."""
        self.aor = aor
        answermode = "auto" if answer else "manual"
        self.command(
            "uanew",
            f'<{aor}>;auth_pass={password};outbound="sip:{self.proxy.address}";'
            f"regint=60;answermode={answermode}",
        )

    def answer_calls_to(self, aor: str) -> None:
        """Answer calls sent to the phone's own address, without registering anywhere."""
        self.aor = aor
        self.command("uanew", f"<{aor}>;regint=0;answermode=auto")

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.command("quit")
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=3)
        _stop(self.process)
        self.sock.close()
