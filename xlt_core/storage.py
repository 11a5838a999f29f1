"""A full disk or a folder that cannot be written, as one line naming the path (exit 2), not a traceback.

The writers of a stage report these in different shapes: Python as an OSError (often without a file name when a
write fails half-way), torch as a RuntimeError whose context is that OSError (when given a Python file), and Rust
libraries (safetensors, tokenizers) as a message ending in "(os error 28)". `storage_errors` turns all of them into
a StorageError; whoever holds the half-written files (paths.atomic_dir, the training checkpoint) removes them, so
a rerun, once there is space, continues where the run stopped.
"""

from __future__ import annotations

import errno
import os
import re
from contextlib import contextmanager

from .errors import XltError

ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


class StorageError(XltError):
    """The disk is full (or over quota), or a folder is read-only or not ours to write."""


def cause(err: BaseException) -> OSError | None:
    """The OSError of a full disk or an unwritable folder behind `err`, else None."""
    for candidate in (err, err.__context__):
        if isinstance(candidate, OSError) and candidate.errno in ERRNOS:
            return candidate
    found = re.search(r"\(os error (\d+)\)", str(err))  # Rust's std::io::Error
    if found and int(found.group(1)) in ERRNOS:
        return OSError(int(found.group(1)), os.strerror(int(found.group(1))))
    return None


@contextmanager
def storage_errors(path, name_file: bool = True):
    """Raise a StorageError naming the file that could not be written (or `path` when the error names none, or
    when `name_file` is False) for a full disk or an unwritable folder met in the block; other errors pass."""
    try:
        yield
    except StorageError:
        raise
    except Exception as err:
        found = cause(err)
        if found is None:
            raise
        where = (found.filename if name_file else None) or path
        raise StorageError(f"cannot write {where}: {found.strerror}") from None
