"""Reading CSV files that operators bring: line numbers for every record, clear words for
what is wrong with the file itself (its encoding, its delimiter, a cut-off last line).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from accounts import text

CHUNK_SIZE = 1 << 20
DELIMITERS = (",", ";", "\t")


class Record(NamedTuple):
    """One CSV record: the file line it starts on, and its fields (None when unreadable)."""

    line: int
    fields: list[str] | None
    error: str = ""


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, header); nothing in it was used."""


def check_encoding(path: Path, encoding: str) -> int:
    """Make sure the whole file decodes; return its number of lines (for a progress bar).

    Reading it once in large binary chunks costs a fraction of the import, and it means a
    wrong encoding is found before anything is written rather than half-way through.
    """
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError as error:
        raise FileProblem(f"Unknown encoding {encoding!r}.") from error
    lines = 0
    last = b""
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_SIZE):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line = lines + chunk[: max(error.start, 0)].count(b"\n") + 1
                raise FileProblem(
                    f"line {line}: the file is not {encoding} text (byte "
                    f"0x{chunk[error.start]:02x} cannot be read). Save it as UTF-8 "
                    '("CSV UTF-8" in a spreadsheet), or name its encoding with --encoding, '
                    "e.g. --encoding cp1250."
                ) from error
            lines += chunk.count(b"\n")
            last = chunk[-1:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise FileProblem(
                f"line {lines + 1}: the file ends in the middle of a character; "
                "it may have been cut off."
            ) from error
    return lines + (0 if last in (b"", b"\n") else 1)


def count_lines(path: Path) -> int:
    """The file's number of lines (for a progress bar), read in large binary chunks."""
    lines = 0
    last = b""
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_SIZE):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (0 if last in (b"", b"\n") else 1)


class DecodedLines:
    """A file's lines, each decoded on its own (accounts.text.decode): UTF-8, else `fallback`.

    Switches write whatever bytes a trunk sent as a caller's name, so one line in a legacy
    code page must not make the rest of the file unreadable. `fallback_lines` counts the
    lines that needed the fallback; a UTF-8 byte-order mark at the start is dropped.
    """

    def __init__(self, path: Path, fallback: str):
        self.path = path
        self.fallback = fallback
        self.fallback_lines = 0

    def __iter__(self) -> Iterator[str]:
        # Whole chunks are tried as UTF-8 first (one C call for a megabyte); only a chunk
        # that fails is decoded line by line, so the fallback costs only where it is needed.
        with self.path.open("rb") as file:
            rest = file.read(CHUNK_SIZE).removeprefix(codecs.BOM_UTF8)
            # Until the file ends, not until `rest` is empty: a chunk that ends exactly at a
            # line's end leaves nothing over, and the file goes on (that once stopped an
            # import at 94 MiB without a word).
            while True:
                chunk = file.read(CHUNK_SIZE)
                data = rest + chunk
                if not data:
                    return
                cut = data.rfind(b"\n") + 1 if chunk else len(data)
                if cut == 0:  # a line longer than a chunk: read on
                    rest = data
                    continue
                block, rest = data[:cut], data[cut:]
                yield from self._lines(block)
                if not chunk:
                    return

    def _lines(self, block: bytes) -> Iterator[str]:
        try:
            lines = block.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            yield from self._line_by_line(block)
            return
        last = lines.pop()
        for line in lines:
            yield line + "\n"
        if last:
            yield last

    def _line_by_line(self, block: bytes) -> Iterator[str]:
        for raw in block.splitlines(keepends=True):
            line, used_fallback = text.decode(raw, self.fallback)
            self.fallback_lines += used_fallback
            yield line


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a file with a header row: the one the header uses most.

    Spreadsheets set to Polish write ';' (the comma is the decimal separator there).
    """
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def records(lines: Iterable[str], delimiter: str = ",") -> Iterator[Record]:
    """The file's records, skipping empty lines, each with the line number it starts on.

    A record the csv module cannot parse (an unclosed quote, text after a closing quote)
    comes back with `fields=None` and the reason, and reading goes on with the next line.
    """
    source = _LastLine(lines)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    last_line = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = last_line + 1
            last_line = reader.line_num
            yield Record(line, None, _csv_error(str(error), delimiter, source.last))
            continue
        line = last_line + 1
        last_line = reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        yield Record(line, fields)


class _LastLine:
    """Iterates over lines and remembers the last one, to explain a record csv cannot read."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = iter(lines)
        self.last = ""

    def __iter__(self) -> _LastLine:
        return self

    def __next__(self) -> str:
        self.last = next(self.lines)
        return self.last


def _csv_error(message: str, delimiter: str, line: str) -> str:
    for other in DELIMITERS:
        if other != delimiter and f'"{other}"' in line:
            name = "tabs" if other == "\t" else repr(other)
            return (
                f"the fields seem separated by {name}, but this file's delimiter is {delimiter!r}"
            )
    if "unexpected end of data" in message:
        return (
            "the record ends inside a quoted field: a closing quote is missing, or the file "
            "was cut off"
        )
    if "expected after" in message:
        return (
            f"text follows a closing quote where {delimiter!r} should: a quote inside a field "
            f'must be doubled (""), and fields are separated by {delimiter!r}'
        )
    if "NUL" in message:
        return "the line contains a NUL byte: this is not a text file"
    return f"unreadable CSV: {message}"
