"""Running code at the same moment in several threads, for the tests of row locks and unique
indexes (PostgreSQL; SQLite serialises every writer)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connections

Argument = TypeVar("Argument")
Result = TypeVar("Result")


def run_concurrently(
    function: Callable[[Argument], Result], arguments: Iterable[Argument], *, timeout: float = 60
) -> list[Result]:
    """Call function(argument) in one thread per argument, all released together at a barrier.

    Returns the results in argument order. If a thread raised, re-raises the first exception
    raised once every thread has ended. Each thread closes its own database connections at its
    end: Django opens one per thread, and an open one would hold up the test's flush. Needs a
    test with a real transaction (`django_db(transaction=True)`), or the threads would not see
    the test's data.
    """
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments), timeout=timeout)
    results: list = [None] * len(arguments)
    errors: list[BaseException] = []  # in the order they were raised (append is atomic)

    def worker(index: int, argument: Argument) -> None:
        try:
            barrier.wait()
            results[index] = function(argument)
        except BaseException as error:  # re-raised in the calling thread, below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(index, argument), daemon=True)
        for index, argument in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"a thread was still running after {timeout} seconds")
    if errors:
        raise errors[0]
    return results
