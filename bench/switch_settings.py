"""Konto's production settings, with the bench's URL conf (bench/switch_urls.py)."""

from konto.settings import *  # noqa: F403

ROOT_URLCONF = "bench.switch_urls"
