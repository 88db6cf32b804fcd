"""The column layouts of Asterisk's Master.csv, as cdr.conf's [csv] options make them.

cdr_csv writes the 16 base columns (accountcode, src, dst, dcontext, clid, channel,
dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition,
amaflags), then `uniqueid` if `loguniqueid=yes`, then `userfield` if `loguserfield=yes`,
then `peeraccount`, `linkedid` and `sequence` if `newcdrcolumns=yes` (Asterisk 12+): 16 to
21 columns. A file does not say which options wrote it; the row does, almost: 16, 18, 19
and 21 columns have one reading each, while 17 and 20 columns are either the uniqueid or
the userfield. A uniqueid has a shape (`1706368044.12`, or `host-1706368044.12` with
`systemname`), so the column's content tells them apart; `--columns` states the layout
when the operator knows it.

Guessing wrong cannot lose a call: a leg's identity includes its channel and start time
(see asterisk_csv), so a userfield read as a uniqueid never makes two calls look like one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accounts.calls.records import Rejected

BASE_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
OPTIONS = ("loguniqueid", "loguserfield", "newcdrcolumns")
# <epoch>.<counter>, optionally after "<systemname>-"; the epoch is when the channel was made.
UNIQUEID = re.compile(r"(?:.*-)?([0-9]{9,11})\.[0-9]+")


# eq=False: a layout is counted for every row, and hashing by identity is the cheap kind;
# the few layouts in use are the instances below (or the one --columns states).
@dataclass(frozen=True, eq=False)
class Layout:
    uniqueid: bool = False
    userfield: bool = False
    newcdrcolumns: bool = False

    @property
    def uniqueid_at(self) -> int:
        """The uniqueid's column index, -1 without one (the readers' fast path)."""
        return 16 if self.uniqueid else -1

    @property
    def linkedid_at(self) -> int:
        return self.width - 2 if self.newcdrcolumns else -1

    @property
    def columns(self) -> tuple[str, ...]:
        extra = ("uniqueid",) * self.uniqueid + ("userfield",) * self.userfield
        if self.newcdrcolumns:
            extra += ("peeraccount", "linkedid", "sequence")
        return BASE_COLUMNS + extra

    @property
    def width(self) -> int:
        return len(self.columns)

    def describe(self) -> str:
        flags = (self.uniqueid, self.userfield, self.newcdrcolumns)
        options = [name for name, on in zip(OPTIONS, flags, strict=True) if on]
        return f"{self.width} columns ({', '.join(options) or 'no optional columns'})"

    @classmethod
    def from_options(cls, text: str) -> Layout:
        """`--columns loguniqueid,loguserfield` (cdr.conf's option names), or "none"."""
        names = {name.strip().lower() for name in re.split(r"[,+ ]+", text) if name.strip()}
        if names == {"none"}:
            return cls()
        unknown = names - set(OPTIONS)
        if unknown or not names:
            raise ValueError(
                f"--columns {text!r}: name the cdr.conf options that are on, from "
                f"{', '.join(OPTIONS)}, separated by commas (or 'none' for the 16 base columns)."
            )
        return cls("loguniqueid" in names, "loguserfield" in names, "newcdrcolumns" in names)


NO_OPTIONS = Layout()
BY_WIDTH = {
    16: (NO_OPTIONS,),
    17: (Layout(uniqueid=True), Layout(userfield=True)),
    18: (Layout(uniqueid=True, userfield=True),),
    19: (Layout(newcdrcolumns=True),),
    20: (Layout(uniqueid=True, newcdrcolumns=True), Layout(userfield=True, newcdrcolumns=True)),
    21: (Layout(uniqueid=True, userfield=True, newcdrcolumns=True),),
}


def layout_of(fields: list[str], stated: Layout | None) -> Layout:
    """The layout of one row: the stated one (checked against the row), else read from it."""
    count = len(fields)
    if stated is not None:
        if count != stated.width:
            raise Rejected(
                f"{count} fields, but --columns gives {stated.describe()}{_hint(fields)}"
            )
        return stated
    choices = BY_WIDTH.get(count)
    if choices is None:
        raise Rejected(f"{count} fields, but an Asterisk record has 16 to 21{_hint(fields)}")
    if len(choices) == 1:
        return choices[0]
    with_uniqueid, with_userfield = choices
    value = fields[16].strip()
    return with_uniqueid if not value or UNIQUEID.fullmatch(value) else with_userfield


def uniqueid_epoch(uniqueid: str) -> int | None:
    match = UNIQUEID.fullmatch(uniqueid)
    return int(match.group(1)) if match else None


def _hint(fields: list[str]) -> str:
    if len(fields) < 16 and any(";" in value or "\t" in value for value in fields):
        return "; the fields seem separated by ';' or tabs, but Asterisk writes commas"
    if len(fields) < 16:
        return " (is the line cut off?)"
    return ""
