"""The switch's wall clock: Asterisk writes times as "YYYY-MM-DD HH:MM:SS" in its local zone.

A local time names one instant on most days, but not on the two days a year the clocks
change: in the autumn hour that is repeated it names two instants, and in the spring hour
that is skipped it names none. `SwitchClock.instants` gives every instant a local time can
mean, so the parser can settle the ambiguous ones from other evidence (the uniqueid's epoch,
an unambiguous end time) and refuse the impossible ones, instead of silently guessing.

An hour is checked once: all but the hours around a clock change have a single UTC offset,
which is cached, so a million records cost a dictionary lookup each.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from accounts.calls.records import FIRST_YEAR, LAST_YEAR, Rejected


class SwitchClock:
    def __init__(self, zone: tzinfo):
        self.zone = zone
        self.zone_name = str(zone)
        # "YYYY-MM-DD HH" → the hour's UTC offset as text ("+01:00"), or None for an hour
        # with a clock change (or a year out of range, which then raises on every row).
        self._hours: dict[str, str | None] = {}

    def instants(self, value: str, column: str) -> tuple[datetime, ...]:
        """The instants (aware) the local time `value` can mean: one, or two (autumn).

        Raises Rejected for text that is not Asterisk's date format, a year out of range,
        or a time the clock skipped (spring).
        """
        suffix = self._hours.get(value[:13], "")
        if suffix and len(value) == 19 and value[10] == " ":
            try:
                # One C call: the wall time with the hour's offset is the instant.
                return (datetime.fromisoformat(value + suffix),)
            except ValueError:
                pass
        wall = _wall_time(value, column)
        hour = value[:13]
        if hour not in self._hours:
            self._hours[hour] = self._regular_offset(wall)
            return self.instants(value, column)
        return self._irregular(wall, value, column)

    def _regular_offset(self, wall: datetime) -> str | None:
        """The hour's only UTC offset ("+01:00"), or None when it changes within the hour."""
        start = wall.replace(minute=0, second=0)
        end = wall.replace(minute=59, second=59)
        offsets = {
            moment.replace(tzinfo=self.zone, fold=fold).utcoffset()
            for moment in (start, end)
            for fold in (0, 1)
        }
        if len(offsets) != 1:
            return None
        (offset,) = offsets
        if offset is None:  # pragma: no cover - every IANA zone has an offset
            return None
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    def _irregular(self, wall: datetime, value: str, column: str) -> tuple[datetime, ...]:
        found = []
        for fold in (0, 1):
            local = wall.replace(tzinfo=self.zone, fold=fold)
            instant = local.astimezone(UTC)
            # A skipped time does not come back as itself from UTC.
            if instant.astimezone(self.zone).replace(tzinfo=None) == wall:
                found.append(instant)
        instants = tuple(sorted(set(found)))
        if not instants:
            raise Rejected(
                f"{value} does not exist in {self.zone_name}: the clock skipped it (the change "
                "to summer time). If the switch writes UTC (usegmtime=yes in cdr.conf), import "
                "with --tz UTC",
                column,
            )
        return instants


def _wall_time(value: str, column: str) -> datetime:
    # fromisoformat is fast but lenient; the shape check keeps it to Asterisk's own format.
    if len(value) == 19 and value[4] == "-" and value[7] == "-" and value[10] == " ":
        try:
            wall = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if FIRST_YEAR <= wall.year <= LAST_YEAR:
                return wall
            raise Rejected(
                f"{value}: a year before {FIRST_YEAR} or after {LAST_YEAR} is not a real call "
                "(is the switch's clock set?)",
                column,
            )
    raise Rejected(f"{value!r} is not a date and time like 2026-11-02 08:10:00", column)


def earliest_not_before(instants: tuple[datetime, ...], moment: datetime) -> datetime | None:
    """The first of `instants` at or after `moment` (with a second's tolerance), if any."""
    tolerance = timedelta(seconds=1)
    for instant in instants:
        if instant >= moment - tolerance:
            return instant
    return None


def nearest(instants: tuple[datetime, ...], moment: datetime) -> datetime:
    return min(instants, key=lambda instant: abs(instant - moment))
