"""Reading the switch's spool without ever leaving it: no symbolic links, only regular files.

The spool belongs to the switch's `asterisk` user, not to Konto: whoever can write there must
not be able to make the import read /etc/shadow through a symbolic link, nor hang it on a FIFO
(opening one for reading blocks until a writer comes). So every path is walked one component
at a time from the spool's root with O_NOFOLLOW, a file is looked at with lstat before it is
opened, opened with O_NONBLOCK (a FIFO then opens at once instead of hanging) and checked again
with fstat once it is open, in case it was swapped in between.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# A file the switch (or a copy into the spool) wrote this recently may still be being written.
STILL_WRITING_SECONDS = 60
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
CHUNK = 1024 * 1024


class Refused(Exception):
    """A path the import will not read; the text says why (English, for the operator)."""


class TooLarge(Refused):
    """Larger than the import reads."""


class Vanished(Exception):
    """The file is gone: the switch moved, renumbered or deleted it since it was listed."""


def recent(mtime: float, seconds: float = STILL_WRITING_SECONDS) -> bool:
    """Modified within `seconds` of now (either way: a clock a little ahead counts as now)."""
    return abs(time.time() - mtime) < seconds


def kind_of(mode: int) -> str:
    """What a non-regular file is, in the words of the refusal."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def refusal(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link: refused (the import reads only the spool's own files)"
    return f"{kind_of(mode)}, not a regular file: refused (never opened)"


@dataclass(frozen=True)
class Entry:
    """One name in a spool directory, as lstat saw it (a link is not followed)."""

    name: str
    mode: int
    size: int
    mtime: float
    inode: tuple[int, int]

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)

    @property
    def is_file(self) -> bool:
        return stat.S_ISREG(self.mode)


def _entry(name: str, st: os.stat_result) -> Entry:
    return Entry(name, st.st_mode, st.st_size, st.st_mtime, (st.st_dev, st.st_ino))


class Spool:
    """The spool's root directory; every other path is a sequence of names below it."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, parts: Sequence[str]) -> Path:
        return self.root.joinpath(*parts)

    def _open_dir(self, parts: Sequence[str]) -> int:
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            for part in parts:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
        except OSError as error:
            os.close(fd)
            raise _translated(error) from None
        return fd

    def listing(self, parts: Sequence[str]) -> list[Entry]:
        """The names in a directory, sorted, each with its lstat. Raises Refused, Vanished."""
        fd = self._open_dir(parts)
        try:
            entries = []
            with os.scandir(fd) as names:
                for name in names:
                    try:
                        entries.append(_entry(name.name, name.stat(follow_symlinks=False)))
                    except FileNotFoundError:
                        continue  # deleted while we looked
            return sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            raise _translated(error) from None
        finally:
            os.close(fd)

    def lstat(self, parts: Sequence[str]) -> Entry:
        """One name's lstat. Raises Refused, Vanished."""
        *directory, name = parts
        fd = self._open_dir(directory)
        try:
            return _entry(name, os.stat(name, dir_fd=fd, follow_symlinks=False))
        except OSError as error:
            raise _translated(error) from None
        finally:
            os.close(fd)

    @contextmanager
    def open(self, parts: Sequence[str]) -> Iterator[tuple[BinaryIO, Entry]]:
        """A regular file, open for reading, and its fstat. Raises Refused, Vanished."""
        *directory, name = parts
        dir_fd = self._open_dir(directory)
        try:
            seen = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            if not stat.S_ISREG(seen.st_mode):
                raise Refused(refusal(seen.st_mode))
            fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
        except OSError as error:
            raise _translated(error) from None
        finally:
            os.close(dir_fd)
        handle = os.fdopen(fd, "rb")
        with handle:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
                seen.st_dev,
                seen.st_ino,
            ):
                raise Vanished("replaced while being opened")
            yield handle, _entry(name, opened)

    def read(self, parts: Sequence[str], limit: int) -> tuple[bytes, Entry]:
        """The whole of a small file. Raises Refused (also when larger than `limit`), Vanished."""
        with self.open(parts) as (handle, entry):
            if entry.size > limit:
                raise TooLarge(f"larger than {limit // 1024} KiB")
            data = handle.read(limit + 1)
            if len(data) > limit:
                raise TooLarge(f"larger than {limit // 1024} KiB")
            return data, entry

    def copy(self, parts: Sequence[str], destination: Path, limit: int) -> Entry:
        """Copy a file out of the spool (to read it at leisure). Raises Refused, Vanished."""
        with self.open(parts) as (handle, entry), destination.open("wb") as out:
            copied = 0
            while chunk := handle.read(CHUNK):
                copied += len(chunk)
                if copied > limit:
                    raise TooLarge(f"larger than {limit // (1024 * 1024)} MiB")
                out.write(chunk)
            return entry


def _translated(error: OSError) -> Exception:
    if error.errno == errno.ENOENT:
        return Vanished("gone (moved or deleted by the switch)")
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        # O_NOFOLLOW met a symbolic link, or a name on the way is not a directory.
        return Refused("a symbolic link or not a directory on the way: refused")
    return Refused(f"cannot read it: {error.strerror}")
