"""The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau files.

Layout: 4-byte magic, u32 version, u32 section count, then per section u32 type, u64
size and the data. Everything little-endian. Readers accept sections in any order.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Iterable

from zkmargin.verifier.files import FormatError

FIELD_BYTES = 32  # n8 for BN254's q and r
MAX_FILE_BYTES = 4 << 30  # keys near the largest capacity; counts in headers are checked against the data


def int_to_bytes(value: int, n8: int = FIELD_BYTES) -> bytes:
    return value.to_bytes(n8, "little")


def int_from_bytes(data: bytes) -> int:
    return int.from_bytes(data, "little")


def u32(value: int) -> bytes:
    return struct.pack("<I", value)


def u64(value: int) -> bytes:
    return struct.pack("<Q", value)


def encode(magic: bytes, version: int, sections: Iterable[tuple[int, bytes]]) -> bytes:
    sections = list(sections)
    parts = [magic, u32(version), u32(len(sections))]
    for kind, data in sections:
        parts += [u32(kind), u64(len(data)), data]
    return b"".join(parts)


def section_table(data, magic: bytes, name: str) -> tuple[int, dict[int, tuple[int, int]]]:
    """(version, {section type: (offset, size)}) of an iden3 container, every section inside
    ``data`` and none twice; ``data`` is anything sliceable as bytes (bytes, a view, an mmap)."""
    if len(data) < 12 or bytes(data[:4]) != magic:
        raise FormatError(f"{name}: not a {magic.decode()} file (bad magic number)")
    version, count = struct.unpack_from("<II", data, 4)
    offset, sections = 12, {}
    for _ in range(count):
        if offset + 12 > len(data):
            raise FormatError(f"{name}: truncated section header")
        kind, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        if offset + size > len(data):
            raise FormatError(f"{name}: section {kind} runs past the end of the file")
        if kind in sections:
            raise FormatError(f"{name}: section {kind} appears twice")
        sections[kind] = (offset, size)
        offset += size
    return version, sections


def decode(data: bytes, magic: bytes, name: str) -> tuple[int, dict[int, memoryview]]:
    """(version, {section type: data}).

    Sections are views into ``data``, not copies: a proving key is tens to hundreds of
    megabytes, and slicing it into bytes would hold it twice at the peak of reading."""
    view = memoryview(data)
    version, table = section_table(view, magic, name)
    return version, {kind: view[offset : offset + size] for kind, (offset, size) in table.items()}


def read(path: str | os.PathLike, magic: bytes, limit: int = MAX_FILE_BYTES) -> tuple[int, dict[int, memoryview]]:
    """Read at most ``limit`` + 1 bytes (so /dev/zero or a runaway file is refused, not loaded)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise FormatError(f"{path}: larger than {limit:,} bytes, the limit for .{magic.decode()} files")
    return decode(data, magic, str(path))


def unpack(layout: str, data: bytes, offset: int, name: str, what: str) -> tuple[int, ...]:
    """struct.unpack_from with a FormatError naming the file and the part that is cut short."""
    try:
        return struct.unpack_from(layout, data, offset)
    except struct.error:
        raise FormatError(f"{name}: {what} is truncated") from None


def require(sections: dict[int, memoryview], kind: int, name: str) -> memoryview:
    if kind not in sections:
        raise FormatError(f"{name}: missing section {kind}")
    return sections[kind]
