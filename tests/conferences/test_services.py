"""The rules (`conferences.rules`) and changes (`services`) that no single page shows in full."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from conferences import access_codes, rules, services
from conferences.models import AccessCode, Conference
from conferences.rules import ConferenceData
from tests.factories import make_conference


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2099, 1, 5, hour, minute, tzinfo=UTC)


def test_max_concurrent_counts_overlaps_not_neighbours():
    intervals = [(at(10), at(11)), (at(11), at(12)), (at(10, 30), at(11, 30))]
    assert rules.max_concurrent(intervals, at(9), at(13)) == 2
    assert rules.max_concurrent([(at(10), at(11))], at(11), at(12)) == 0
    assert rules.max_concurrent([(at(8), None)], at(10), at(11)) == 1  # a permanent room
    assert rules.max_concurrent([(at(12), at(13))], at(10), None) == 1


@pytest.mark.django_db
def test_creating_is_refused_when_conferences_are_disabled(alice):
    alice.conferences_enabled = False
    alice.save()
    with pytest.raises(PermissionDenied):
        services.create_conference(
            alice, ConferenceData(name="X", starts_at=at(10), duration_minutes=30)
        )
    assert not Conference.objects.exists()


@pytest.mark.django_db
def test_a_started_conference_cannot_be_moved_even_past_the_form(alice):
    started = timezone.now() - timedelta(minutes=10)
    running = make_conference(alice, starts_at=started, minutes=60)
    data = ConferenceData(
        name=running.name,
        starts_at=started + timedelta(days=1),
        duration_minutes=60,
        max_participants=5,
    )
    with pytest.raises(ValidationError) as error:
        services.update_conference(running, data)
    assert "start_date" in error.value.error_dict


@pytest.mark.django_db
def test_a_started_conference_cannot_become_a_permanent_room(alice):
    running = make_conference(alice, starts_at=timezone.now() - timedelta(minutes=10))
    data = ConferenceData(
        name=running.name, is_permanent=True, max_session_minutes=60, max_participants=5
    )
    with pytest.raises(ValidationError) as error:
        services.update_conference(running, data)
    assert "is_permanent" in error.value.error_dict


@pytest.mark.django_db
def test_a_limit_lowered_by_staff_still_lets_the_customer_edit_other_things(alice):
    # Staff lower the limit below what is already planned: renaming must still work, but
    # nothing may be added at that time.
    start = timezone.now() + timedelta(days=1)
    first = make_conference(alice, starts_at=start)
    make_conference(alice, starts_at=start)
    alice.max_concurrent_conferences = 1
    alice.save()
    data = ConferenceData(
        name="Nowa nazwa", starts_at=start, duration_minutes=60, max_participants=5
    )
    with pytest.raises(ValidationError):
        services.update_conference(first, data)
    alice.max_concurrent_conferences = 2
    alice.save()
    assert services.update_conference(first, data)


@pytest.mark.django_db
def test_staff_end_a_running_conference_and_its_codes_stop_working(alice, staff):
    running = make_conference(alice, starts_at=timezone.now() - timedelta(minutes=10))
    code = running.codes()["guest"]
    assert services.end_conference(running, actor=staff)
    running.refresh_from_db()
    assert running.state == "past"
    assert access_codes.find_access_code(code) is None
    assert not AccessCode.objects.filter(conference=running).exists()
    event = AuditEvent.objects.get(kind="conference.ended")
    assert event.actor_label == "helpdesk" and event.actor_kind == "staff"
    assert not services.end_conference(running, actor=staff)  # already over


@pytest.mark.django_db
def test_ending_a_future_conference_cancels_it_for_the_invitees(
    alice, staff, django_capture_on_commit_callbacks, mailoutbox
):
    future = make_conference(alice, invitees=("jan@example.com",))
    with django_capture_on_commit_callbacks(execute=True):
        services.end_conference(future, actor=staff)
    future.refresh_from_db()
    assert future.state == "past"
    [message] = mailoutbox
    assert "method=CANCEL" in message.attachments[0][2]


@pytest.mark.django_db
def test_an_account_with_a_limit_of_zero_gets_a_clear_refusal(alice):
    alice.max_concurrent_conferences = 0
    alice.save()
    with pytest.raises(ValidationError) as error:
        services.create_conference(
            alice, ConferenceData(name="X", starts_at=at(10), duration_minutes=30)
        )
    assert error.value.code == "no_conferences_allowed"
    assert not Conference.objects.exists()


@pytest.mark.django_db
def test_the_end_is_the_duration_later_in_real_time_whatever_the_starts_zone(alice):
    # 01:30 in Warsaw on the night the clocks jump from 02:00 to 03:00, given in local time.
    local_start = datetime(2099, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Warsaw"))
    conference, _created = services.create_conference(
        alice,
        ConferenceData(name="Noc", starts_at=local_start, duration_minutes=90, max_participants=5),
    )
    conference.refresh_from_db()
    assert conference.starts_at == datetime(2099, 3, 29, 0, 30, tzinfo=UTC)
    assert conference.ends_at == datetime(2099, 3, 29, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_conference_in_progress_is_extended_across_the_clocks_going_back(alice):
    start = datetime(2099, 10, 25, 0, 0, tzinfo=UTC)  # 02:00 summer time, the first one
    running = make_conference(alice, starts_at=start, minutes=60)
    data = ConferenceData(
        name=running.name,
        starts_at=start.astimezone(ZoneInfo("Europe/Warsaw")),
        duration_minutes=120,
        max_participants=5,
    )
    services.update_conference(running, data, now=start + timedelta(minutes=30))
    running.refresh_from_db()
    assert running.ends_at == datetime(2099, 10, 25, 2, 0, tzinfo=UTC)  # 03:00 winter time
    assert running.duration_minutes == 120
