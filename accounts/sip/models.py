"""Kamailio's tables, as Django models, so that migrations create them and Konto reads them.

Each model's table and columns are those of Kamailio 5.6's PostgreSQL schema
(/usr/share/kamailio/postgres/*-create.sql), database defaults included, because Kamailio
inserts rows naming only the columns it knows. The accounting tables add the columns that the
proxy's `acc` extras fill (see deploy/kamailio/kamailio.cfg). Kamailio refuses to start unless
`version` holds each table's schema version: `KAMAILIO_TABLE_VERSIONS`.

Who writes what: Konto writes `subscriber` (accounts.sip.credentials) and nothing else; the
proxy writes `location` (registrations), `acc`, `missed_calls` and `acc_cdrs` (calls).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

# The schema version Kamailio 5.6 checks for each table it uses (the INSERTs into `version`
# in its create scripts). The migration copies these; the sip tests restore them after a flush.
KAMAILIO_TABLE_VERSIONS = {
    "version": 1,
    "subscriber": 7,
    "location": 9,
    "location_attrs": 1,
    "acc": 5,
    "missed_calls": 4,
    "acc_cdrs": 2,
}


class KamailioDateTimeField(models.DateTimeField):
    """Kamailio's `timestamp without time zone`, holding UTC (the proxy runs with TZ=UTC).

    Aware UTC datetimes in Python, as every other time in Konto.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "timestamp"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if (
            connection.vendor == "postgresql"
            and isinstance(value, dt.datetime)
            and value.tzinfo is not None
        ):
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


class RealField(models.FloatField):
    """Kamailio's `REAL` (single precision) columns."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "real"
        return super().db_type(connection)


def _text(max_length: int, **kwargs: Any) -> models.CharField:
    """Kamailio's `VARCHAR(n) DEFAULT '' NOT NULL`."""
    return models.CharField(max_length=max_length, default="", db_default="", **kwargs)


def _optional_text(max_length: int) -> models.CharField:
    """Kamailio's `VARCHAR(n) DEFAULT NULL`."""
    return models.CharField(max_length=max_length, null=True, blank=True)


def _integer(default: int = 0) -> models.IntegerField:
    return models.IntegerField(default=default, db_default=default)


class SipTableVersion(models.Model):
    """Kamailio's `version`: the schema version of each of its tables."""

    id = models.AutoField(primary_key=True)
    table_name = models.CharField(max_length=32)
    table_version = _integer()

    class Meta:
        db_table = "version"
        constraints = [
            models.UniqueConstraint(fields=["table_name"], name="version_table_name_idx")
        ]

    def __str__(self) -> str:
        return f"{self.table_name} {self.table_version}"


def restore_table_versions() -> None:
    """Put back the `version` rows Kamailio checks (after a test flushed every table)."""
    for table_name, table_version in KAMAILIO_TABLE_VERSIONS.items():
        SipTableVersion.objects.update_or_create(
            table_name=table_name, defaults={"table_version": table_version}
        )


class SipSubscriber(models.Model):
    """Kamailio's `subscriber`: the digest credentials of one SIP identity.

    Written only by accounts.sip.credentials: one row per account that may use SIP (active,
    with a SIP password), username = the account ID, domain = SIP_DOMAIN. The password
    column stays empty; the proxy checks digests against the HA1 hashes.
    """

    id = models.AutoField(primary_key=True)
    username = _text(64)
    domain = _text(64)
    password = _text(64)
    ha1 = _text(128)
    ha1b = _text(128)

    class Meta:
        db_table = "subscriber"
        constraints = [
            models.UniqueConstraint(fields=["username", "domain"], name="subscriber_account_idx")
        ]
        indexes = [models.Index(fields=["username"], name="subscriber_username_idx")]

    def __str__(self) -> str:
        return f"{self.username}@{self.domain}"


class SipLocation(models.Model):
    """Kamailio's `location` (usrloc): one registered contact of a SIP identity.

    Written by the proxy (usrloc db_mode 1, write-through); read by
    accounts.sip.registrations. `expires` is when the registration lapses, in UTC.
    """

    id = models.AutoField(primary_key=True)
    ruid = _text(64)
    username = _text(64)
    domain = _optional_text(64)
    contact = _text(512)
    received = _optional_text(128)
    path = _optional_text(512)
    expires = KamailioDateTimeField(db_default=dt.datetime(2030, 5, 28, 21, 32, 15, tzinfo=dt.UTC))
    q = RealField(default=1.0, db_default=1.0)
    callid = models.CharField(
        max_length=255, default="Default-Call-ID", db_default="Default-Call-ID"
    )
    cseq = _integer(1)
    last_modified = KamailioDateTimeField(
        db_default=dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=dt.UTC)
    )
    flags = _integer()
    cflags = _integer()
    user_agent = _text(255)
    socket = _optional_text(64)
    methods = models.IntegerField(null=True, blank=True)
    instance = _optional_text(255)
    reg_id = _integer()
    server_id = _integer()
    connection_id = _integer()
    keepalive = _integer()
    partition = _integer()

    class Meta:
        db_table = "location"
        constraints = [models.UniqueConstraint(fields=["ruid"], name="location_ruid_idx")]
        indexes = [
            models.Index(
                fields=["username", "domain", "contact"], name="location_account_contact_idx"
            ),
            models.Index(fields=["expires"], name="location_expires_idx"),
            models.Index(fields=["connection_id"], name="location_tcpcon_idx"),
            models.Index(fields=["server_id", "connection_id"], name="location_connection_idx"),
        ]

    def __str__(self) -> str:
        return self.contact


class SipLocationAttribute(models.Model):
    """Kamailio's `location_attrs`: extra attributes of a registration (unused by Konto; usrloc
    checks that the table exists)."""

    id = models.AutoField(primary_key=True)
    ruid = _text(64)
    username = _text(64)
    domain = _optional_text(64)
    aname = _text(64)
    atype = _integer()
    avalue = _text(512)
    last_modified = KamailioDateTimeField(
        db_default=dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=dt.UTC)
    )

    class Meta:
        db_table = "location_attrs"
        # Kamailio's index names, shortened to Django's limit of 30 characters.
        indexes = [
            models.Index(fields=["username", "domain", "ruid"], name="location_attrs_record_idx"),
            models.Index(fields=["last_modified"], name="location_attrs_modified_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.aname}={self.avalue}"


class SipTransactionRecord(models.Model):
    """The columns of Kamailio's `acc` and `missed_calls`, plus the proxy's extras.

    src_user: the caller as the callee was shown it (the calling account's first number, else
    the From user); dst_user: the dialled number (the request URI's user before routing);
    src_account / dst_account: the authenticated caller's and the callee's account IDs, or "".
    """

    id = models.AutoField(primary_key=True)
    method = _text(16)
    from_tag = _text(128)
    to_tag = _text(128)
    callid = _text(255)
    sip_code = _text(3)
    sip_reason = _text(128)
    time = KamailioDateTimeField()
    src_user = _text(64)
    dst_user = _text(64)
    src_account = _text(64)
    dst_account = _text(64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.method} {self.callid} {self.sip_code}"


class SipAccTransaction(SipTransactionRecord):
    """Kamailio's `acc`: one accounted transaction (an answered INVITE, its BYE)."""

    class Meta:
        db_table = "acc"
        indexes = [models.Index(fields=["callid"], name="acc_callid_idx")]


class SipMissedCall(SipTransactionRecord):
    """Kamailio's `missed_calls`: an INVITE that failed (declined, unanswered, unreachable)."""

    class Meta:
        db_table = "missed_calls"
        indexes = [models.Index(fields=["callid"], name="missed_calls_callid_idx")]


class SipCdr(models.Model):
    """Kamailio's `acc_cdrs`: one answered call (acc's CDR engine, from the dialog module).

    Times in UTC; `duration` in seconds (fractional). The extras as on SipTransactionRecord,
    plus the call's Call-ID.
    """

    id = models.AutoField(primary_key=True)
    start_time = KamailioDateTimeField(db_default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    end_time = KamailioDateTimeField(db_default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    duration = RealField(default=0, db_default=0)
    callid = _text(128)
    src_user = _text(128)
    dst_user = _text(128)
    src_account = _text(128)
    dst_account = _text(128)

    class Meta:
        db_table = "acc_cdrs"
        indexes = [models.Index(fields=["start_time"], name="acc_cdrs_start_time_idx")]

    def __str__(self) -> str:
        return f"{self.callid} {self.duration}s"
