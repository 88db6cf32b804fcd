"""Asks Konto's switch API for a call's decision, inside Kamailio (app_python3).

kamailio.cfg calls `python_exec("ask", "$var(url)")` on every call setup and reads the result
from $var(code) (the HTTP status, 0 when there was no answer) and $var(answer) (the body).

Why Python and not http_client: Kamailio 5.6's http_client counts its timeout in whole seconds
(milliseconds came with 5.8), and a call must not wait a second for a portal that is down. Here
the whole exchange (connect, request, answer) has SWITCH_API_TIMEOUT_MS, 300 ms by default;
past that the call rings (fail-open, decided in the cfg). Only the standard library is used:
Kamailio embeds Debian's python3, not the portal's virtualenv.

Each Kamailio worker keeps its own connection and reuses it while the server keeps it open
(nginx or a threaded server does; gunicorn's sync workers close it after every answer).
"""

from __future__ import annotations

import http.client
import os
import socket
import time
import urllib.parse

import KSR  # type: ignore[import-not-found]  # provided by app_python3 inside Kamailio

# The body of a decision is a line of name=value; fields; anything much longer is not one.
MAX_ANSWER_BYTES = 4096


class SwitchApi:
    def __init__(self) -> None:
        self.timeout = int(os.environ.get("KONTO_SWITCH_API_TIMEOUT_MS", "300")) / 1000
        self.authorization = os.environ["KONTO_SWITCH_API_AUTHORIZATION"]
        self.connection: http.client.HTTPConnection | None = None
        self.origin: tuple[str, str, int] | None = None

    def child_init(self, rank: int) -> int:
        return 0

    def ask(self, msg: object, url: str) -> int:
        """GET `url`; sets $var(code) and $var(answer). Returns 1 (true in the cfg) always."""
        code, answer = 0, ""
        started = time.monotonic()
        try:
            code, answer = self._get(url, started + self.timeout)
        except (OSError, http.client.HTTPException, ValueError) as error:
            self._close()
            elapsed_ms = (time.monotonic() - started) * 1000
            KSR.warn(f"switch API: no answer after {elapsed_ms:.0f} ms ({error!r})\n")
        KSR.pv.seti("$var(code)", code)
        KSR.pv.sets("$var(answer)", answer)
        return 1

    def _get(self, url: str, deadline: float) -> tuple[int, str]:
        parts = urllib.parse.urlsplit(url)
        origin = (parts.scheme, parts.hostname or "", parts.port or 0)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        reused = self.connection is not None and self.origin == origin
        if not reused:
            self._connect(origin, deadline)
        try:
            return self._exchange(target, deadline)
        except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
            # A kept connection the server had already closed: one new connection, once.
            if not reused:
                raise
            self._connect(origin, deadline)
            return self._exchange(target, deadline)

    def _connect(self, origin: tuple[str, str, int], deadline: float) -> None:
        self._close()
        scheme, host, port = origin
        connection_class = (
            http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        )
        self.connection = connection_class(host, port or None, timeout=_left(deadline))
        self.connection.connect()
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.origin = origin

    def _exchange(self, target: str, deadline: float) -> tuple[int, str]:
        connection = self.connection
        assert connection is not None and connection.sock is not None
        connection.sock.settimeout(_left(deadline))
        connection.request(
            "GET",
            target,
            headers={"Authorization": self.authorization, "User-Agent": "Konto SIP proxy"},
        )
        connection.sock.settimeout(_left(deadline))
        response = connection.getresponse()
        if connection.sock is not None:
            connection.sock.settimeout(_left(deadline))
        body = response.read(MAX_ANSWER_BYTES + 1)
        if len(body) > MAX_ANSWER_BYTES:
            raise ValueError("answer too long")
        if response.will_close:
            self._close()
        return response.status, body.decode("utf-8", "replace")

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None
        self.origin = None


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the switch API's time is up")
    return left


def mod_init() -> SwitchApi:
    return SwitchApi()
