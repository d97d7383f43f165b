"""Key files mapped into memory instead of read into it, and their sections let go of once
a proof is done with them.

A proving key is most of a proof's memory beyond the runtime (143 MiB at 2^18), yet each
section serves one phase: the coefficients the quotient H, then A, B2, B1, C and H one MSM
each. Read into a bytes object, all of it stays resident to the end. Mapped, each section's
pages can be dropped from this process (``MADV_DONTNEED``) when its phase ends: they stay in
the page cache, so a later proof from the same key faults them back in without reading the
disk, and the process's peak holds one section at a time instead of the whole key.

The mapping is read-only and of the file's size when opened. Keys are replaced by rename
(circuits/files.py), which leaves a mapped file intact; a tool that truncated a key in place
while a proof read it would make the process fail with SIGBUS, where a read would have seen
a short file.
"""

from __future__ import annotations

import mmap
import os
import stat
from pathlib import Path

import numpy as np

from zkmargin.circuits import binfile
from zkmargin.verifier.files import FormatError


def read_sections(path: str | os.PathLike, magic: bytes, limit: int = binfile.MAX_FILE_BYTES):
    """binfile.read's (version, {section: view}), the views into a read-only mapping of the
    file where it is a regular, non-empty file (anything else is read as binfile.read does)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
                return binfile.read(path, magic, limit)
            if info.st_size > limit:
                raise FormatError(f"{path}: larger than {limit:,} bytes, the limit for .{magic.decode()} files")
            mapped = mmap.mmap(handle.fileno(), info.st_size, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return binfile.decode(mapped, magic, str(path))


def _address(buffer) -> int:
    return np.frombuffer(buffer, dtype=np.uint8).ctypes.data if len(buffer) else 0


def release(data) -> int:
    """Drop the whole pages of ``data`` (a view into a mapping from read_sections) from this
    process's memory; they are read back from the page cache if touched again. Anything
    else is left alone. Returns the bytes released."""
    if not isinstance(data, memoryview) or not isinstance(data.obj, mmap.mmap) or not len(data):
        return 0
    mapped = data.obj
    offset = _address(data) - _address(mapped)
    page = mmap.PAGESIZE
    start = -(-offset // page) * page  # whole pages only: the neighbours' bytes stay
    end = (offset + len(data)) // page * page
    if end <= start:
        return 0
    mapped.madvise(mmap.MADV_DONTNEED, start, end - start)
    return end - start
