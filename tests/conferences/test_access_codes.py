"""Access codes: random, never weak, unique even when another insert wins, released when over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conferences import access_codes
from conferences.models import AccessCode
from tests.factories import make_conference


@pytest.mark.parametrize(
    "code",
    ["123456", "654321", "111111", "121212", "112211", "123123", "78901234", "98765432", "12a456"],
)
def test_weak_codes_are_recognised(code):
    assert access_codes.is_weak_code(code)


@pytest.mark.parametrize("code", ["71850442", "305918", "48201937"])
def test_ordinary_codes_are_not_weak(code):
    assert not access_codes.is_weak_code(code)


def test_generated_codes_are_digits_of_the_right_length_and_never_weak():
    codes = {access_codes.generate_code() for _ in range(2000)}
    assert len(codes) > 1990  # random, not a sequence
    for code in codes:
        assert code.isdigit() and 6 <= len(code) <= 9
        assert code[0] != "0"
        assert not access_codes.is_weak_code(code)


@pytest.mark.django_db
def test_a_code_taken_meanwhile_by_another_conference_is_retried(alice, bob, monkeypatch):
    """The unique index, not the Python check, has the last word (the race the check misses)."""
    taken = make_conference(bob)
    taken_code = taken.codes()["guest"]
    pairs = iter([(taken_code, "48201937"), ("30591846", "48201937")])
    monkeypatch.setattr(access_codes, "_new_code_pair", lambda avoid: next(pairs))
    monkeypatch.setattr(access_codes, "_codes_in_use", lambda codes: False)  # the check missed it
    conference = make_conference(alice, codes=False)
    assert access_codes.assign_codes(conference) == ("30591846", "48201937")
    assert conference.codes() == {"host": "30591846", "guest": "48201937"}
    assert taken.codes()["guest"] == taken_code


@pytest.mark.django_db
def test_codes_of_ended_conferences_are_released_and_can_be_reused(alice, bob):
    now = timezone.now()
    ended = make_conference(alice, starts_at=now - timedelta(hours=2), minutes=60)
    running = make_conference(alice, starts_at=now - timedelta(minutes=5), minutes=60)
    room = make_conference(alice, is_permanent=True, starts_at=now - timedelta(days=5))
    old_code = ended.codes()["host"]
    assert access_codes.release_codes_of_ended() == 2
    assert ended.codes() == {}
    assert len(running.codes()) == 2 and len(room.codes()) == 2
    # The released code is free for a new conference.
    AccessCode.objects.create(
        conference=make_conference(bob, codes=False), role="host", code=old_code
    )


@pytest.mark.django_db
def test_a_code_opens_its_conference_only_while_it_runs(alice):
    start = timezone.now() + timedelta(hours=1)
    conference = make_conference(alice, starts_at=start, minutes=60)
    code = conference.codes()["guest"]
    assert access_codes.find_access_code(code, now=start - timedelta(minutes=30)) is None
    assert access_codes.find_access_code(code, now=start - timedelta(minutes=10)) is not None
    assert access_codes.find_access_code(code, now=start + timedelta(minutes=59)) is not None
    assert access_codes.find_access_code(code, now=start + timedelta(minutes=60)) is None
    alice.conferences_enabled = False
    alice.save()
    assert access_codes.find_access_code(code, now=start + timedelta(minutes=5)) is None
