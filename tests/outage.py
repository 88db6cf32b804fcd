"""A database that cannot be reached, for the tests of what the portal does in an outage."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


def _closed_port() -> int:
    """A local TCP port nobody listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Inside, every connection to the default database fails as in a real outage.

    The connection of this thread is swapped for one whose settings point where there is no
    database: PostgreSQL at a closed port (connection refused), SQLite at a file in a
    directory that does not exist (unable to open database file). The driver then fails for
    real, with Django's OperationalError. The test's own connection, with its transaction
    and the data made before, is put back afterwards untouched. Django's test client runs
    the request in the calling thread, so the request sees the broken connection.
    """
    working = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(working.settings_dict)
    if working.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-konto-outage/konto.sqlite3"
    else:
        settings_dict["HOST"] = "127.0.0.1"
        settings_dict["PORT"] = str(_closed_port())
    broken = type(working)(settings_dict, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = broken
    try:
        yield
    finally:
        broken.close()
        connections[DEFAULT_DB_ALIAS] = working
