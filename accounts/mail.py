"""The portal's e-mails: each a subject/text/html trio under `templates/emails/`, rendered in
the customer's language and time zone, whoever or whatever sends it.

No request waits for the mail server: `send` and `queue` put the rendered message on the task
queue (TASKS in settings) and return, and `deliver`, run by `manage.py db_worker`, hands it to
Django's mail backend. A message the server refuses, or cannot be reached for, is queued again
for later, each time after twice as long, up to EMAIL_SEND_ATTEMPTS in all. A message carries
its Message-ID from the moment it is queued and is recorded as sent (SentMail) once the server
has taken it, so a retry never delivers it twice.
"""

from __future__ import annotations

import base64
import logging
import smtplib
from collections.abc import Sequence
from datetime import timedelta, tzinfo
from email.mime.base import MIMEBase
from email.utils import make_msgid, parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

if TYPE_CHECKING:
    from accounts.models import Account

logger = logging.getLogger(__name__)

# However many attempts have failed, the next one is never more than this far off.
MAX_RETRY_DELAY = timedelta(hours=6)

# What a mail server that refuses a message or cannot be reached raises (socket errors and
# timeouts are OSErrors): worth another try later. Anything else is a fault of ours.
TEMPORARY_FAILURES = (smtplib.SMTPException, OSError)


def build(
    name: str,
    context: dict[str, Any],
    *,
    to: Sequence[str],
    account: Account | None = None,
    language: str | None = None,
    zone: tzinfo | None = None,
    reply_to: Sequence[str] | None = None,
) -> EmailMultiAlternatives:
    """The e-mail `emails/<name>_subject.txt`, `<name>.txt` and `<name>.html` for `to`.

    Rendered in the account's language and time zone (or the given ones; else the active
    ones). The subject is one line, whatever the template's line breaks.
    """
    if account is not None:
        language = language or account.language
        zone = zone or account.zone
    with (
        translation.override(language or translation.get_language()),
        timezone.override(zone or timezone.get_current_timezone()),
    ):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        settings.DEFAULT_FROM_EMAIL,
        list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message


def send(name: str, context: dict[str, Any], *, to: Sequence[str], **options: Any) -> None:
    """build() and queue() at once."""
    queue(build(name, context, to=to, **options))


def queue(message: EmailMessage) -> None:
    """Queue `message` for delivery and return without waiting for the mail server.

    Raises only when the queue itself (the database) cannot take it. Inside a transaction, the
    message is queued with it: a rolled-back change sends nothing.
    """
    data = to_json(message)
    deliver.enqueue(data)
    logger.info("E-mail %s to %s queued", data["headers"]["Message-ID"], _recipients(data))


@task()
def deliver(message: dict[str, Any], attempt: int = 1) -> dict[str, Any]:
    """Send a message queued by `queue()`: attempt `attempt` of EMAIL_SEND_ATTEMPTS.

    A message whose Message-ID is recorded as sent is not sent again. When the mail server
    refuses it or cannot be reached, the next attempt is queued for later and this task ends
    normally (its result says so); after the last attempt the error is raised, so a failed
    task in the queue's admin is a message given up, kept there with its content.
    """
    from accounts.models import SentMail

    message_id = message["headers"]["Message-ID"]
    if SentMail.objects.filter(message_id=message_id).exists():
        logger.info("E-mail %s was sent before; not sending it again", message_id)
        return {"already_sent": message_id}
    try:
        from_json(message).send()
    except TEMPORARY_FAILURES as error:
        return _after_failure(message, attempt, error)
    SentMail.objects.get_or_create(message_id=message_id)
    logger.info("E-mail %s to %s sent (attempt %d)", message_id, _recipients(message), attempt)
    return {"sent": message_id, "attempt": attempt}


def retry_delay(failed_attempts: int) -> timedelta:
    """How long to wait after the `failed_attempts`-th failed attempt: EMAIL_RETRY_SECONDS,
    doubled for each further failure, at most MAX_RETRY_DELAY."""
    seconds = settings.EMAIL_RETRY_SECONDS * 2 ** (failed_attempts - 1)
    return timedelta(seconds=min(seconds, MAX_RETRY_DELAY.total_seconds()))


def _after_failure(message: dict[str, Any], attempt: int, error: Exception) -> dict[str, Any]:
    message_id = message["headers"]["Message-ID"]
    attempts = settings.EMAIL_SEND_ATTEMPTS
    if attempt >= attempts or not deliver.get_backend().supports_defer:
        # With the immediate backend (development, tests) there is no later: a failure is final.
        logger.error(
            "E-mail %s to %s given up after attempt %d of %d: %s",
            message_id,
            _recipients(message),
            attempt,
            attempts,
            error,
        )
        raise error
    run_after = timezone.now() + retry_delay(attempt)
    retry = deliver.using(run_after=run_after).enqueue(message, attempt + 1)
    logger.warning(
        "E-mail %s to %s failed (attempt %d of %d): %s; trying again at %s",
        message_id,
        _recipients(message),
        attempt,
        attempts,
        error,
        run_after.isoformat(timespec="seconds"),
    )
    return {"failed": str(error), "attempt": attempt, "retry": retry.id}


def _recipients(message: dict[str, Any]) -> str:
    return ", ".join([*message["to"], *message["cc"], *message["bcc"]])


# The message as task arguments --------------------------------------------------------------


def to_json(message: EmailMessage) -> dict[str, Any]:
    """`message` as JSON for the task queue; `from_json()` makes it again.

    The message gets its Message-ID here (unless it has one), so that every attempt sends the
    same one and the sent record can be found by it. Binary attachments (voicemail audio) are
    kept in base64, text ones (the .ics invitation) as they are.
    """
    headers = {str(name): str(value) for name, value in message.extra_headers.items()}
    if not any(name.lower() == "message-id" for name in headers):
        headers["Message-ID"] = make_msgid(domain=_domain(message.from_email))
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            raise TypeError("Queued e-mails take attachments as (filename, content, mimetype).")
        filename, content, mimetype = attachment
        item = {"filename": filename, "mimetype": mimetype}
        if isinstance(content, bytes):
            item["base64"] = base64.b64encode(content).decode("ascii")
        else:
            item["text"] = content
        attachments.append(item)
    alternatives = getattr(message, "alternatives", [])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": headers,
        "alternatives": [[content, mimetype] for content, mimetype in alternatives],
        "attachments": attachments,
    }


def from_json(data: dict[str, Any]) -> EmailMultiAlternatives:
    """The message that `to_json()` made `data` of."""
    message = EmailMultiAlternatives(
        data["subject"],
        data["body"],
        data["from_email"],
        data["to"],
        bcc=data["bcc"],
        cc=data["cc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for item in data["attachments"]:
        content = base64.b64decode(item["base64"]) if "base64" in item else item["text"]
        message.attach(item["filename"], content, item["mimetype"])
    return message


def _domain(from_email: str) -> str:
    # The sender's domain, as mail servers expect; not the host name, which Django would look
    # up in the DNS (slow, inside a request) and which says nothing to the recipient.
    address = parseaddr(from_email or settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "konto.invalid"


def portal_link(url_name: str) -> str:
    """An absolute link to a page of the portal for e-mails sent without a request (by a command
    or after a charge); "" when PORTAL_URL is not set, and the e-mail then carries no link.
    """
    if not settings.PORTAL_URL:
        return ""
    return settings.PORTAL_URL.rstrip("/") + reverse(url_name)
