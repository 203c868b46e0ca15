"""Atomic outputs: write a temporary file in the destination folder, fsync, then rename over the target.

A crash or Ctrl-C leaves either the old file or the complete new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from legal_ft.errors import InputError, OutputError


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary sibling of ``path``; on clean exit it replaces ``path``, on error it is removed."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise output_error(target, exc) from exc
    tmp = Path(tmp_name)
    try:
        # mkstemp makes the file private (0600); an output should get the permissions any new file gets, or
        # keep those of the file it replaces.
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise output_error(target, exc) from exc
        _fsync_dir(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.errno in _DISK_FULL:  # a write or fsync of this file ran out of space
            raise output_error(target, exc) from exc
        raise


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def output_error(target: Path, exc: OSError) -> OutputError:
    """One line for an output that cannot be written, with what to do for the usual causes."""
    if exc.errno in _DISK_FULL:
        return OutputError(f"cannot write {target}: the disk is full",
                           "free disk space, or write the outputs to another disk")
    if isinstance(exc, PermissionError):
        return OutputError(f"cannot write {target}: permission denied",
                           "check the folder's permissions; on Windows close the file if another program (Excel, "
                           "an editor) has it open")
    return OutputError(f"cannot write {target}: {exc.strerror or exc}", "check the path and free disk space")


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    with atomic_output(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_output(path, "wb") as handle:
        handle.write(data)


def ensure_not_input(outputs: Iterable[str | os.PathLike[str]], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to write an output over any input file (inputs are never modified)."""
    resolved_inputs = [Path(p).resolve() for p in inputs]
    for out in outputs:
        out_path = Path(out).resolve()
        for inp in resolved_inputs:
            same = out_path == inp
            if not same and out_path.exists() and inp.exists():
                same = os.path.samefile(out_path, inp)
            if same:
                raise InputError(
                    f"refusing to write {out} over the input {inp}",
                    "choose another output path; inputs are never modified",
                )
