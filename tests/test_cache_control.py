"""`Cache-Control: private, no-store` on every response to a signed-in request
(accounts.middleware.NoStoreWhenSignedInMiddleware), and not on what is public."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from centrex.voicemail.models import VoicemailGreeting
from tests.factories import (
    enable_screening,
    enable_voicemail,
    make_call,
    make_conference,
    make_message,
    make_rule,
    wav_bytes,
)

pytestmark = pytest.mark.django_db


def _url_names(patterns, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    """Every named URL of the URL conf with its pattern, "namespace:name", admin aside."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # the operator's admin: Django marks each of its pages never_cache
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, prefix)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern


@pytest.fixture
def objects(settings, tmp_path, alice) -> dict[str, int]:
    """One of each of alice's things that has a page or a download, by the URL names' prefix."""
    settings.MEDIA_ROOT = tmp_path / "media"
    enable_screening(alice, voicemail=True)
    enable_voicemail(alice)
    make_call(alice)
    greeting = VoicemailGreeting(
        account=alice,
        kind="unavail",
        duration=2,
        audio_size=len(wav_bytes()),
        content_hash="g" * 64,
        recorded_at=datetime(2026, 11, 15, 9, 0, tzinfo=UTC),
    )
    greeting.audio.save("audio.wav", ContentFile(wav_bytes()), save=False)
    greeting.save()
    return {
        "conferences:": make_conference(alice).pk,
        "centrex:voicemail_greeting": greeting.pk,
        "centrex:voicemail": make_message(alice).pk,
        "centrex:screening": make_rule(alice, "48501234567").pk,
    }


def _url(name: str, pattern: URLPattern, objects: dict[str, int]) -> str:
    converters = pattern.pattern.converters
    if not converters:
        return reverse(name)
    if set(converters) == {"uidb64", "token"}:  # the password reset link
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    for prefix, pk in objects.items():
        if name.startswith(prefix):
            return reverse(name, kwargs={"pk": pk})
    raise AssertionError(f"Add one of alice's objects for {name} to the `objects` fixture.")


# Downloads and the pages that show secrets: each must be a real 200, not a 404 or a redirect.
MUST_ANSWER_200 = {
    "accounts:calls_export",
    "accounts:calls_export_xlsx",
    "conferences:detail",
    "conferences:ics",
    "centrex:voicemail_audio",
    "centrex:voicemail_download",
    "centrex:voicemail_greeting_audio",
    "centrex:voicemail_greeting_download",
    "profile:settings",
}


def test_every_page_and_download_answers_a_signed_in_customer_with_no_store(alice_client, objects):
    answers = {}
    for name, pattern in _url_names(get_resolver().url_patterns):
        response = alice_client.get(_url(name, pattern, objects))
        answers[name] = (response.status_code, response.get("Cache-Control", ""))

    assert {name: answers[name][0] for name in MUST_ANSWER_200} == dict.fromkeys(
        MUST_ANSWER_200, 200
    )
    not_private = {
        name: cache
        for name, (_, cache) in answers.items()
        if "no-store" not in cache or "private" not in cache
    }
    assert not_private == {}


def test_a_form_sent_back_with_errors_is_not_stored_either(alice_client, alice):
    response = alice_client.post("/centrex/conferences/new/", {"name": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_stricter_header_of_the_view_is_kept(alice_client):
    # The profile's settings page is never_cache: that header already forbids storing.
    response = alice_client.get("/profile/settings/")
    assert "must-revalidate" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_signed_in_customers_page_not_found_is_not_stored(alice_client):
    response = alice_client.get("/centrex/conferences/999999/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_public_pages_are_left_as_they_are(client):
    # The password reset form: nothing private on it, so no header is added.
    assert "Cache-Control" not in client.get("/password-reset/")
    assert "Cache-Control" not in client.get("/healthz")


def test_static_files_stay_cacheable_for_signed_in_customers(settings, alice_client):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/ without collectstatic
    response = alice_client.get("/static/css/konto.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_healthz_is_not_marked_for_signed_in_clients_either(alice_client):
    response = alice_client.get("/healthz")
    assert response.status_code == 200
    assert "Cache-Control" not in response
