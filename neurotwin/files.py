"""The one place neurotwin writes files: atomically, and every failure as one line.

:func:`atomic_write` writes into a temporary file beside the target and renames it
over the target, so a reader never sees half a file and a failed or interrupted
write leaves the previous file (or none). Every file-system error on the way
(read-only folder, a parent that is a file, a target that is a folder, disk full,
quota exceeded) becomes a :class:`~neurotwin.errors.FileError` whose message names
the path and the cause, e.g. ``cannot write out/r.nc: disk full (no space left on
device)``. :func:`check_writable` makes the same checks up front, so a command can
refuse before it simulates. :func:`json_text` is the one JSON encoder of files and
``--json`` output: numpy values become plain, NaN and infinities become ``null``.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FileError

#: temporary files are named ``.<target name>.<random>.tmp`` in the target's folder
TMP_SUFFIX = ".tmp"
#: below this many free bytes a netCDF/HDF5 write error is reported as a full disk
_FULL_BYTES = 1 << 20

_CAUSES = {
    errno.ENOSPC: "disk full (no space left on device)",
    errno.EDQUOT: "disk full (disk quota exceeded)",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.EEXIST: "a file of that name is in the way",
    errno.ENOENT: "no such file or folder",
    errno.ENAMETOOLONG: "file name too long",
}


def cause(exc: BaseException) -> str:
    """The reason an OS error happened, in words (disk full said as such)."""
    for err in (exc, exc.__cause__, exc.__context__):
        if isinstance(err, OSError) and err.errno in _CAUSES:
            return _CAUSES[err.errno]
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def file_error(exc: BaseException, path: str | os.PathLike, action: str = "write") -> FileError:
    """``exc`` (an OSError, or a netCDF/HDF5 error) as one line naming ``path`` and the cause."""
    if isinstance(exc, FileError):
        return exc
    why = cause(exc)
    if not isinstance(exc, OSError) and action == "write" and _disk_full(Path(path).parent):
        why = f"disk full (no space left on device; {why})"
    return FileError(f"cannot {action} {path}: {why}")


def check_writable(path: str | os.PathLike, folder: bool = False) -> None:
    """Raise :class:`FileError` now if ``path`` (a file, or with ``folder=True`` a folder to
    write into) could not be written: the target is a folder (or a file), a parent is a
    file, or the nearest existing folder is not writable. Nothing is created."""
    path = Path(path)
    if path.exists():
        if folder and not path.is_dir():
            raise FileError(f"cannot write into {path}: it is a file, not a folder")
        if not folder and path.is_dir():
            raise FileError(f"cannot write {path}: it is a folder")
        target = path if folder else path.parent
    else:
        target = path.parent
    while not target.exists() and target != target.parent:
        target = target.parent
    if not target.is_dir():
        raise FileError(f"cannot write {path}: {target} is a file, not a folder")
    if not os.access(target, os.W_OK | os.X_OK):
        raise FileError(f"cannot write {path}: permission denied on {target}")


def make_dirs(path: str | os.PathLike) -> Path:
    """``mkdir -p path``, its failure as a :class:`FileError`."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if path.exists() and not path.is_dir():
            raise FileError(f"cannot write into {path}: it is a file, not a folder") from None
        raise file_error(exc, path, "create the folder") from None
    return path


def atomic_write(path: str | os.PathLike, write: Callable[[str], Any]) -> Path:
    """``write(tmp_path)`` into a temp file in the target folder, then rename over ``path``.

    A failure removes the temp file, leaves the old file (or none) and raises
    :class:`FileError` naming ``path`` and the cause; an interrupt (KeyboardInterrupt)
    also removes the temp file and is re-raised as it is.
    """
    path = Path(path)
    if path.is_dir():
        raise FileError(f"cannot write {path}: it is a folder")
    make_dirs(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise file_error(exc, path) from None
    os.close(fd)
    try:
        write(tmp)
        # mkstemp creates 0600; give the file the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except (OSError, RuntimeError) as exc:  # netCDF4 reports HDF5 failures as RuntimeError
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, RuntimeError) and not _is_netcdf_error(exc):
            raise
        raise file_error(exc, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write a small text file (JSON, manifests) atomically."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def read_text(path: str | os.PathLike) -> str:
    """Read a text file; a failure is a :class:`FileError` naming the path and the cause."""
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise file_error(exc, path, "read") from None


def remove_stale_temps(folder: str | os.PathLike) -> list[Path]:
    """Remove the temp files a killed write left in ``folder`` (``.<name>.<random>.tmp``);
    call only while no other writer uses the folder. Returns what was removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for tmp in folder.glob(f".*{TMP_SUFFIX}"):
        if tmp.is_file():
            try:
                tmp.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise file_error(exc, tmp, "remove the stale temp file") from None
            removed.append(tmp)
    return removed


def plain(obj: Any) -> Any:
    """A JSON-ready copy of ``obj``: numpy scalars and arrays plain, tuples as lists, NaN and
    infinities as None (JSON has neither)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return plain(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def json_text(obj: Any, **kwargs: Any) -> str:
    """``obj`` as strict JSON (NaN and infinities as ``null``, numpy values plain);
    anything else unknown is written as its ``str``."""
    return json.dumps(plain(obj), allow_nan=False, default=str, **kwargs)


def _is_netcdf_error(exc: BaseException) -> bool:
    text = str(exc)
    return "NetCDF" in text or "HDF" in text


def _disk_full(folder: Path) -> bool:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < _FULL_BYTES
    except OSError:
        return False


__all__ = [
    "atomic_write",
    "cause",
    "check_writable",
    "file_error",
    "json_text",
    "make_dirs",
    "plain",
    "read_text",
    "remove_stale_temps",
    "write_text",
]
