"""Mail that is never lost: every e-mail waits in the task queue, is retried with back-off while
the mail server is down or refuses it, and is delivered exactly once when it is back.

The outage tests talk to a real SMTP server (aiosmtpd, in a thread on a free local port)
through Django's SMTP backend: down is nothing listening on the port.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import mail
from accounts.models import SentMail
from tests.factories import conference_form_data

pytestmark = pytest.mark.django_db

READY = "READY"


class SmtpServer:
    """A real SMTP server on a free port of 127.0.0.1, down until `start()`. It keeps every
    message it accepts; with `refusing` set, it answers each recipient "451 try again later".
    """

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[email.message.EmailMessage] = []
        self.refusing = False
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    # aiosmtpd's handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    @property
    def recipients(self) -> list[str]:
        return sorted(message["To"] for message in self.received)


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at an SmtpServer that is down (see `start()`)."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def retries_fall_due() -> None:
    """Time passes: every queued retry is due now."""
    DBTaskResult.objects.filter(status=READY).update(run_after=timezone.now())


def waiting() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=READY))


def queue_one(to: str = "jan@example.com") -> None:
    mail.queue(EmailMultiAlternatives("Test", "Treść", "konto@example.com", [to]))


@pytest.mark.django_db(transaction=True)
def test_while_the_mail_server_is_down_a_reset_and_an_invitation_succeed_and_arrive_once_later(
    client, alice, smtp, task_queue
):
    response = client.post("/password-reset/", {"email": alice.login})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert client.get(response["Location"]).status_code == 200

    client.force_login(alice.user)
    response = client.post(
        "/centrex/conferences/new/", conference_form_data(invitees="jan@example.com")
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert len(waiting()) == 2  # both e-mails are in the database, not lost with the request

    task_queue()  # the worker tries while the server is still down: both wait for a retry
    assert smtp.received == []
    assert [task.args_kwargs["args"][1] for task in waiting()] == [2, 2]

    smtp.start()
    retries_fall_due()
    task_queue()
    assert smtp.recipients == sorted([alice.user.email, "jan@example.com"])
    invitation = next(m for m in smtp.received if m["To"] == "jan@example.com")
    [calendar] = [part for part in invitation.walk() if part.get_content_type() == "text/calendar"]
    assert "BEGIN:VCALENDAR" in calendar.get_content()
    reset = next(m for m in smtp.received if m["To"] == alice.user.email)
    assert "/password-reset/" in reset.get_body(("plain",)).get_content()
    assert {m["Message-ID"] for m in smtp.received} == set(
        SentMail.objects.values_list("message_id", flat=True)
    )

    task_queue()  # and again: nothing is sent twice
    retries_fall_due()
    task_queue()
    assert len(smtp.received) == 2
    assert waiting() == []


def test_mail_queued_during_an_outage_is_delivered_once_when_the_worker_runs(smtp, task_queue):
    queue_one("jan@example.com")
    queue_one("ewa@example.com")
    smtp.start()
    task_queue()
    task_queue()
    assert smtp.recipients == ["ewa@example.com", "jan@example.com"]


def test_a_message_already_sent_is_not_sent_again_even_if_its_task_is_queued_again(
    smtp, task_queue
):
    smtp.start()
    queue_one()
    task_queue()
    [task] = DBTaskResult.objects.all()
    mail.deliver.enqueue(*task.args_kwargs["args"])  # an operator re-runs it
    task_queue()
    assert len(smtp.received) == 1
    assert DBTaskResult.objects.order_by("enqueued_at").last().return_value == {
        "already_sent": smtp.received[0]["Message-ID"]
    }


def test_each_retry_waits_twice_as_long_as_the_one_before(smtp, task_queue, settings, caplog):
    settings.EMAIL_RETRY_SECONDS = 60
    smtp.start()
    smtp.refusing = True  # up, but answering "451 try again later"
    queue_one()
    delays = []
    for attempt in (1, 2, 3):
        retries_fall_due()
        tried_at = timezone.now()
        task_queue()
        [retry] = waiting()
        assert retry.args_kwargs["args"][1] == attempt + 1
        delays.append(retry.run_after - tried_at)
    assert [round(delay.total_seconds() / 60) for delay in delays] == [1, 2, 4]
    assert smtp.received == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "accounts.mail"]
    assert sum("failed (attempt" in text for text in warnings) == 3
    assert "(attempt 3 of 12)" in warnings[-1] and "Try again later" in warnings[-1]

    smtp.refusing = False
    retries_fall_due()
    task_queue()
    assert len(smtp.received) == 1


def test_the_wait_between_attempts_never_exceeds_six_hours(settings):
    settings.EMAIL_RETRY_SECONDS = 60
    assert mail.retry_delay(1) == timedelta(minutes=1)
    assert mail.retry_delay(9) == timedelta(minutes=256)
    assert mail.retry_delay(10) == timedelta(hours=6)
    assert mail.retry_delay(400) == timedelta(hours=6)


def test_after_the_last_attempt_the_message_is_given_up_and_kept_as_a_failed_task(
    smtp, task_queue, settings, caplog
):
    settings.EMAIL_SEND_ATTEMPTS = 3
    queue_one()
    for _ in range(3):
        retries_fall_due()
        task_queue()
    assert waiting() == []
    attempts = DBTaskResult.objects.order_by("enqueued_at")
    assert [task.status for task in attempts] == ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]
    assert attempts.last().exception_class_path == "builtins.ConnectionRefusedError"
    assert attempts.last().args_kwargs["args"][0]["to"] == ["jan@example.com"]
    assert any(
        "given up after attempt 3 of 3" in r.getMessage() and r.levelname == "ERROR"
        for r in caplog.records
    )

    smtp.start()  # too late: nothing is tried any more
    retries_fall_due()
    task_queue()
    assert smtp.received == []


def test_a_voicemail_recording_and_an_invitation_file_survive_the_queue(task_queue, mailoutbox):
    audio = bytes(range(256)) * 4  # not UTF-8, as WAV audio is not
    message = EmailMultiAlternatives("Poczta głosowa", "Treść", "konto@example.com", ["a@x.pl"])
    message.attach_alternative("<p>Treść</p>", "text/html")
    message.attach("voicemail.wav", audio, "audio/wav")
    message.attach("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    mail.queue(message)
    assert mailoutbox == []  # queued, not sent
    task_queue()
    [sent] = django_mail.outbox
    assert sent.subject == "Poczta głosowa"
    assert sent.alternatives[0][0] == "<p>Treść</p>"
    assert sent.attachments[0] == ("voicemail.wav", audio, "audio/wav")
    assert sent.attachments[1][1] == "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert sent.extra_headers["Message-ID"].endswith("@example.com>")


def test_with_the_immediate_backend_the_mail_is_sent_at_once(mailoutbox):
    queue_one()
    assert len(mailoutbox) == 1
    assert SentMail.objects.get().message_id == mailoutbox[0].extra_headers["Message-ID"]
