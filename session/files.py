"""Files warroom writes for people (reports, exports, drafts): whole or not at all.

A file is written to a temporary file beside its target, flushed to disk, then renamed over
it (or linked in, when an existing file must not be replaced), so a full disk, a kill or an
error leaves the target as it was and no half-made file behind. A symbolic link, a FIFO, a
directory or a device is refused in one line: writing through a link wrote (and chmod'ed)
whatever it pointed at, and opening a FIFO waited forever for a reader. New files are
readable by their owner only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from incident.errors import InvalidInput
from incident.sanitize import visible


class FileRefused(InvalidInput):
    """The target cannot be written as asked (one line for a person)."""


def shown(path: Path | str) -> str:
    """A path as text a terminal can show (bytes that are not UTF-8 become U+FFFD)."""
    return visible(os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def check_target(path: Path, *, replace: bool, make_dirs: bool = False) -> None:
    """Refuse what cannot be written safely: a link, anything not a regular file, an
    existing file when ``replace`` is false, a directory that is not there (unless
    ``make_dirs``: then it is made, owner-only)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise FileRefused(f"cannot write {shown(path)}: {e.strerror}") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise FileRefused(
                f"{shown(path)} is a symbolic link: warroom does not write "
                "through links; give the real path"
            )
        if not stat.S_ISREG(st.st_mode):
            what = (
                "a directory"
                if stat.S_ISDIR(st.st_mode)
                else "a FIFO"
                if stat.S_ISFIFO(st.st_mode)
                else "not a regular file"
            )
            raise FileRefused(f"{shown(path)} is {what}: warroom writes regular files only")
        if not replace:
            raise FileRefused(f"{shown(path)} already exists; choose a new file name")
    if not path.parent.is_dir():
        if not make_dirs:
            raise FileRefused(f"cannot write {shown(path)}: no such directory {shown(path.parent)}")
        try:  # (made owner-only, as the database's directories are)
            path.parent.mkdir(mode=0o700, parents=True)
        except OSError as e:
            raise FileRefused(f"cannot write {shown(path)}: {e.strerror}") from None


def _why(path: Path, e: OSError) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full: {shown(path)} was not written (nothing else changed)"
    return f"cannot write {shown(path)}: {e.strerror or e}"


@contextlib.contextmanager
def staged(
    path: Path, *, replace: bool, make_dirs: bool = False, suffix: str = ".tmp"
) -> Iterator[Path]:
    """A temporary path beside ``path`` to build the file in; on leaving without an
    error it becomes ``path`` (renamed over it, or linked in when ``replace`` is false);
    on an error it is removed, with SQLite's ``-wal`` and ``-shm`` beside it."""
    path = Path(path)
    check_target(path, replace=replace, make_dirs=make_dirs)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    except OSError as e:
        raise FileRefused(_why(path, e)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        check_target(path, replace=replace)  # (it may have appeared meanwhile)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the name was taken meanwhile: nothing replaced
            os.unlink(tmp)
    except FileExistsError:
        raise FileRefused(f"{shown(path)} already exists; choose a new file name") from None
    except OSError as e:
        raise FileRefused(_why(path, e)) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def write_text(path: Path | str, text: str, *, replace: bool = True) -> None:
    """``path`` holds ``text`` (UTF-8), owner-only, or is left as it was."""
    write_with(path, lambda f: f.write(text.encode("utf-8", "surrogateescape")), replace=replace)


def write_with(path: Path | str, fill: Callable[..., object], *, replace: bool) -> None:
    with staged(Path(path), replace=replace) as tmp:
        try:
            with open(tmp, "wb") as f:
                fill(f)
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            raise FileRefused(_why(Path(path), e)) from None
