from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conferences.models import AccessCode
from tests.factories import make_conference

pytestmark = pytest.mark.django_db


def test_the_command_releases_only_the_codes_of_ended_conferences(alice):
    ended = make_conference(alice, starts_at=timezone.now() - timedelta(days=1))
    future = make_conference(alice)
    out = StringIO()
    call_command("release_conference_codes", stdout=out)
    assert "Released 2 " in out.getvalue()
    assert not AccessCode.objects.filter(conference=ended).exists()
    assert AccessCode.objects.filter(conference=future).count() == 2


def test_the_command_is_safe_to_run_again(alice):
    make_conference(alice, starts_at=timezone.now() - timedelta(days=1))
    call_command("release_conference_codes", stdout=StringIO())
    out = StringIO()
    call_command("release_conference_codes", stdout=out)
    assert "Released 0 " in out.getvalue()
