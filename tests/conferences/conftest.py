from __future__ import annotations

import pytest


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    """Invitations go out once the transaction commits; run those callbacks in the test.

    Use as `with send_mail(): client.post(...)`.
    """

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
