"""Data builders for tests: plain functions, sensible defaults, keyword overrides.

One module, in sections: accounts, call screening, voicemail, conferences.
"""

from __future__ import annotations

import io
import itertools
import uuid
import wave
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from time import time as unix_time
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.help_desk import HELP_DESK_GROUP
from accounts.models import (
    Account,
    CallRecord,
    HuntGroup,
    HuntGroupMembership,
    PhoneNumber,
    User,
)
from accounts.switch_api.models import SwitchToken
from accounts.switch_api.tokens import create_token
from centrex.screening.models import ALL_DAYS, ScreeningRule
from centrex.screening.patterns import parse_patterns
from centrex.voicemail.models import VoicemailMessage
from conferences import access_codes
from conferences.local_time import end_after
from conferences.models import Conference, Invitee

PASSWORD = "Tajne-Haslo-2026"
_sequence = itertools.count(1)


# Accounts


def make_user(username: str | None = None, *, password: str = PASSWORD, **fields) -> User:
    username = username or f"user_{next(_sequence)}"
    fields.setdefault("email", f"{username}@example.com")
    return User.objects.create_user(username=username, password=password, **fields)


def make_account(login: str | None = None, *, email: str | None = None, **fields) -> Account:
    """A customer: a User with an Account whose ID is the login (as the operator issues them)."""
    user = make_user(login, **({"email": email} if email is not None else {}))
    fields.setdefault("account_id", user.username)
    return Account.objects.create(user=user, **fields)


def make_staff(username: str = "helpdesk", **fields) -> User:
    """An operator employee as the portal makes them: staff in the Help desk group, not a
    superuser unless is_superuser=True (the group exists after every migrate, see
    accounts/help_desk.py)."""
    user = make_user(username, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=HELP_DESK_GROUP))
    return user


def verify_two_step(client, user: User) -> TOTPDevice:
    """Give `user` an authenticator and mark the client's session as verified by a code, as
    signing in with password and code does; staff need this for every admin page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Konto", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def totp_code(device: TOTPDevice, *, steps: int = 0) -> str:
    """The code the authenticator app of `device` shows now (or `steps` periods from now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = unix_time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def make_call(account: Account, **fields) -> CallRecord:
    n = next(_sequence)
    started = fields.pop("started_at", timezone.now() - timedelta(hours=n))
    defaults = {
        "source": "test",
        "source_id": f"call-{n}",
        "started_at": started,
        "answered_at": started + timedelta(seconds=5),
        "duration": 65,
        "billed_seconds": 60,
        "caller": "+48221234567",
        "callee": "+48501234567",
        "direction": CallRecord.Direction.OUTBOUND,
        "disposition": CallRecord.Disposition.ANSWERED,
        "charge": Decimal("0.12"),
    }
    defaults.update(fields)
    return CallRecord.objects.create(account=account, **defaults)


def make_hunt_group(
    *members: Account, name: str | None = None, number: str | None = None
) -> HuntGroup:
    n = next(_sequence)
    group = HuntGroup.objects.create(name=name or f"Grupa {n}", number=number or f"+4822{n:07d}")
    for account in members:
        HuntGroupMembership.objects.create(group=group, account=account)
    return group


# Call screening

WARSAW = ZoneInfo("Europe/Warsaw")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def days(*weekdays: int) -> int:
    """A rule's `days` bit mask: days(SAT, SUN)."""
    return sum(1 << day for day in weekdays)


def warsaw(year: int, month: int, day: int, hour: int = 12, minute: int = 0, fold: int = 0):
    """An aware moment given by the Warsaw wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW, fold=fold)


def enable_screening(account: Account, *, voicemail: bool = False) -> Account:
    account.call_screening_enabled = True
    account.voicemail_enabled = voicemail
    account.save(update_fields=["call_screening_enabled", "voicemail_enabled"])
    return account


def make_rule(account: Account, *patterns: str, **fields) -> ScreeningRule:
    """A rule at the end of the account's list; patterns as stored (default: any number)."""
    last = account.screening_rules.order_by("-position").first()
    fields.setdefault("position", last.position + 1 if last else 0)
    fields.setdefault("name", f"Reguła {fields['position'] + 1}")
    fields.setdefault("action", ScreeningRule.Action.REJECT)
    fields.setdefault("days", ALL_DAYS)
    for name in ("time_from", "time_to"):
        if isinstance(fields.get(name), str):
            hours, minutes = fields[name].split(":")
            fields[name] = time(int(hours), int(minutes))
    stored = parse_patterns("\n".join(patterns or ["%"]))
    return ScreeningRule.objects.create(
        account=account, caller_patterns="\n".join(stored), **fields
    )


# Voicemail: WAV audio, spool files as Asterisk writes them, messages

# 15 Nov 2026, 09:00 UTC: 10:00 in Warsaw.
ORIGTIME = 1794733200


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """An 8 kHz mono 16-bit PCM WAV (the switch's format) whose samples count up, so that any
    byte range of it can be told from any other."""
    frames = bytes(i % 251 for i in range(int(seconds * rate) * 2))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(frames)
    return buffer.getvalue()


def enable_voicemail(account: Account, mailbox: str = "1001") -> Account:
    account.voicemail_enabled = True
    account.mailbox = mailbox
    account.save(update_fields=["voicemail_enabled", "mailbox"])
    return account


def make_message(account: Account, *, audio: bytes | None = None, **fields) -> VoicemailMessage:
    n = next(_sequence)
    defaults = {
        "msg_id": f"{ORIGTIME + n}-{n:08d}",
        "mailbox": account.mailbox or "",
        "folder": VoicemailMessage.Folder.INBOX,
        "caller_name": "Jan Kowalski",
        "caller_number": "48501234567",
        "received_at": datetime.fromtimestamp(ORIGTIME + n, tz=UTC),
        "duration": 4,
    }
    defaults.update(fields)
    message = VoicemailMessage(account=account, **defaults)
    data = wav_bytes() if audio is None else audio
    message.audio_size = len(data)
    message.audio.save("audio.wav", ContentFile(data), save=False)
    message.save()
    return message


def message_txt(
    *,
    callerid: str = '"Jan Kowalski" <48501234567>',
    origtime: int | str = ORIGTIME,
    msg_id: str | None = None,
    duration: int | str = 1,
    mailbox: str = "1001",
) -> str:
    """A message information file as app_voicemail writes it."""
    lines = [
        ";",
        "; Message Information file",
        ";",
        "[message]",
        f"origmailbox={mailbox}",
        "context=from-internal",
        "macrocontext=",
        f"exten={mailbox}",
        "rdnis=unknown",
        "priority=2",
        "callerchan=PJSIP/trunk-00000042",
        f"callerid={callerid}",
        "origdate=Sun Nov 15 09:00:00 AM UTC 2026",
        f"origtime={origtime}",
        "category=",
    ]
    if msg_id != "":
        lines.append(f"msg_id={msg_id or f'{origtime}-00000000'}")
    lines += ["flag=", f"duration={duration}", ""]
    return "\n".join(lines)


def write_spool_message(
    root: Path,
    mailbox: str = "1001",
    folder: str = "INBOX",
    number: int = 0,
    *,
    txt: str | None = None,
    audio: bytes | None = None,
    context: str = "default",
    **txt_fields,
) -> Path:
    """Write msgNNNN.txt (+ .wav unless audio=b"") into the spool; returns the .txt path."""
    directory = root / context / mailbox / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"msg{number:04d}.txt"
    path.write_text(txt if txt is not None else message_txt(mailbox=mailbox, **txt_fields))
    if audio != b"":
        path.with_suffix(".wav").write_bytes(audio if audio is not None else wav_bytes())
    return path


# Conferences


def make_conference(
    account: Account,
    *,
    starts_at: datetime | None = None,
    minutes: int = 60,
    invitees: tuple[str, ...] = (),
    codes: bool = True,
    **fields,
) -> Conference:
    """A conference stored directly (past ones too, which the service would refuse)."""
    starts_at = starts_at or timezone.now() + timedelta(days=1)
    permanent = fields.pop("is_permanent", False)
    fields.setdefault("name", "Spotkanie zespołu")
    fields.setdefault("max_participants", 5)
    conference = Conference.objects.create(
        account=account,
        starts_at=starts_at,
        # Real time, as the service computes it: a wall-clock sum is wrong on clock-change days.
        ends_at=None if permanent else end_after(starts_at, minutes),
        is_permanent=permanent,
        max_session_minutes=120 if permanent else None,
        **fields,
    )
    if codes:
        access_codes.assign_codes(conference)
    for email in invitees:
        Invitee.objects.create(conference=conference, email=email)
    return conference


def next_weekday(weekday: int, hour: int, minute: int, zone) -> datetime:
    """The next given weekday (0 = Monday) at hour:minute in `zone`, at least a day ahead."""
    today = timezone.now().astimezone(zone).date() + timedelta(days=1)
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _apply(data: dict, overrides: dict) -> dict:
    """Overrides replace fields; an override of None leaves the field out of the post."""
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return data


def conference_form_data(**overrides) -> dict:
    """What a customer posts on the add form: tomorrow 10:00 for 90 minutes, 5 participants."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "name": "Przegląd kwartalny",
        "start_date": tomorrow.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "90",
        "max_session_minutes": "",
        "max_participants": "5",
        "description": "",
        "music_on_hold": "on",
        "invitees": "",
        "creation_token": str(uuid.uuid4()),
    }
    return _apply(data, overrides)


def conference_edit_data(conference: Conference, **overrides) -> dict:
    """The edit form as shown for `conference`, with `overrides` applied."""
    from conferences.forms import initial_for

    initial = initial_for(conference, conference.account)
    data = {}
    for key, value in initial.items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif hasattr(value, "isoformat"):
            data[key] = value.strftime("%H:%M") if key == "start_time" else value.isoformat()
        else:
            data[key] = str(value)
    return _apply(data, overrides)


def phone_number_formset(account: Account | None = None, *new: str) -> dict:
    """The telephone numbers inline as the page sends it: the stored ones, then `new` ones."""
    stored = list(account.numbers.all()) if account is not None and account.pk else []
    data: dict[str, object] = {
        "numbers-TOTAL_FORMS": len(stored) + len(new),
        "numbers-INITIAL_FORMS": len(stored),
        "numbers-MIN_NUM_FORMS": 0,
        "numbers-MAX_NUM_FORMS": 1000,
    }
    for index, number in enumerate(stored):
        data[f"numbers-{index}-id"] = number.pk
        data[f"numbers-{index}-number"] = number.number
        if account is not None:
            data[f"numbers-{index}-account"] = account.pk
    for index, typed in enumerate(new, start=len(stored)):
        data[f"numbers-{index}-number"] = typed
    return data


def admin_account_form(account: Account, **changes: object) -> dict:
    """The admin's account change form as the page sends it back; None drops a field."""
    data = {
        "email": account.user.email,
        "account_id": account.account_id,
        "status": account.status,
        "currency": account.currency,
        "credit_limit": str(account.credit_limit),
        "country": account.country,
        "time_zone": account.time_zone,
        "language": account.language,
        "max_conference_participants": account.max_conference_participants,
        "max_concurrent_conferences": account.max_concurrent_conferences,
        "conferences_enabled": "on",
        "first_name": account.first_name,
        "last_name": account.last_name,
        **phone_number_formset(account),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Switch API


def make_number(account: Account, number: str) -> PhoneNumber:
    """One of the account's telephone numbers, as stored: E.164 digits without "+"."""
    return PhoneNumber.objects.create(account=account, number=number)


def make_switch_token(name: str = "kamailio-1") -> tuple[SwitchToken, str]:
    """An active switch token and the token itself (the only time it can be read)."""
    return create_token(name, actor="tests")
