"""What konto.settings make of an environment, read in a fresh interpreter (settings are read
once per process, so another environment needs another process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setting(expression: str, **env: str) -> str:
    """The printed value of `expression` (which may use `settings` and `json`) under
    konto.settings with `env`."""
    code = (
        "import django, json; from django.conf import settings; django.setup(); "
        f"print({expression})"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "konto.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
