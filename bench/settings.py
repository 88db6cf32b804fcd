"""Konto's production settings, with the benches' URL conf (bench/urls.py)."""

from konto.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
