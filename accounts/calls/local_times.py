"""Stored instants as the account's wall clock, fast enough for exports of a million calls.

`datetime.astimezone(zone)` looks the zone's rules up for every call. An hour of UTC has one
offset in almost every zone on almost every day, so here the offset is looked up once per
hour and the rest is integer arithmetic on seconds since the epoch (the exports read times as
such: accounts.calls.history.EpochSeconds); each local hour's "YYYY-MM-DDTHH:" is written
once too. The few hours that hold a clock change are converted one instant at a time,
exactly. (The way back, wall-clock text to instants, is accounts.calls.switch_clock.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

HOUR = 3600
EPOCH = datetime(1970, 1, 1)


class LocalClock:
    def __init__(self, zone: tzinfo):
        self.zone = zone
        # UTC hour (epoch seconds // 3600) → (offset in seconds, "+01:00"), or None for an
        # hour in which the offset changes.
        self._offsets: dict[int, tuple[int, str] | None] = {}
        # Local hour (local epoch seconds // 3600) → "2026-11-24T10:".
        self._hour_texts: dict[int, str] = {}

    def iso_at(self, seconds: int | None) -> str:
        """ISO 8601 in the account's zone with its offset ("2026-11-24T10:15:00+01:00") of
        seconds since the epoch; "" for None (a call never answered)."""
        if seconds is None:
            return ""
        found = self._offset(seconds)
        if found is None:
            return datetime.fromtimestamp(seconds, self.zone).isoformat(timespec="seconds")
        offset, suffix = found
        local = seconds + offset
        hour_text = self._hour_texts.get(local // HOUR)
        if hour_text is None:
            hour_text = self._hour_texts[local // HOUR] = (
                EPOCH + timedelta(seconds=local - local % HOUR)
            ).strftime("%Y-%m-%dT%H:")
        minutes, second = divmod(local % HOUR, 60)
        return f"{hour_text}{minutes:02d}:{second:02d}{suffix}"

    def wall_at(self, seconds: int) -> datetime:
        """The account's wall-clock time of seconds since the epoch, without a zone."""
        return EPOCH + timedelta(seconds=self.local_seconds(seconds))

    def local_seconds(self, seconds: int) -> int:
        """The wall-clock time as seconds since 1970-01-01 00:00 on that clock (spreadsheets)."""
        found = self._offset(seconds)
        if found is None:
            offset = datetime.fromtimestamp(seconds, self.zone).utcoffset()
            return seconds + int(offset.total_seconds()) if offset else seconds
        return seconds + found[0]

    def iso(self, moment: datetime | None) -> str:
        """iso_at for an aware datetime."""
        return self.iso_at(None if moment is None else int(moment.timestamp()))

    def _offset(self, seconds: int) -> tuple[int, str] | None:
        hour = seconds // HOUR
        try:
            return self._offsets[hour]
        except KeyError:
            pass
        start = datetime.fromtimestamp(hour * HOUR, UTC)
        offsets = {
            instant.astimezone(self.zone).utcoffset()
            for instant in (start, start + timedelta(seconds=HOUR - 1))
        }
        found = None
        if len(offsets) == 1:
            (offset,) = offsets
            if offset is not None:
                found = (int(offset.total_seconds()), _offset_text(offset))
        self._offsets[hour] = found
        return found


def _offset_text(offset: timedelta) -> str:
    # As datetime.isoformat writes it: "+01:00", "-03:30", "+05:45", "+00:00".
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
