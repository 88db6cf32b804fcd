"""konto.redis_cache against the real Redis server (REDIS_URL, else the local one on 6379)."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from konto.redis_cache import RedisCache
from tests.settings_probe import setting

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def cache() -> RedisCache:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis server")
    return RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_settings_use_it_for_a_redis_cache_url() -> None:
    backend = setting("settings.CACHES['default']['BACKEND']", CACHE_URL=REDIS_URL)
    assert backend == "konto.redis_cache.RedisCache"


def test_one_client_serves_every_operation(cache) -> None:
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert isinstance(cache, DjangoRedisCache)


def test_it_reads_and_writes_like_djangos_from_several_threads(cache) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", {"n": n, "i": i}, 30)
                assert cache.get(f"k{n}-{i}") == {"n": n, "i": i}
            assert cache.get_many([f"k{n}-0", f"k{n}-49"]) == {
                f"k{n}-0": {"n": n, "i": 0},
                f"k{n}-49": {"n": n, "i": 49},
            }
            assert cache.add(f"k{n}-0", "other") is False
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache.delete_many([f"k{n}-{i}" for n in range(8) for i in range(50)])
