"""Keys are mapped, not read, and a section's pages leave the process when its phase is done
(prover/mapped.py): the proof's peak holds one section at a time, not the whole key."""

import os
import random

import numpy as np
import pytest

from zkmargin.circuits import binfile
from zkmargin.prover.mapped import read_sections, release
from zkmargin.verifier.files import FormatError

MAGIC = b"zkey"


def _rss_file_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssFile:"):
                return int(line.split()[1]) / 1024
    pytest.skip("no RssFile in /proc/self/status")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_a_released_section_leaves_memory_and_reads_back_the_same(tmp_path):
    payload = random.Random(3).randbytes(16 << 20)
    path = tmp_path / "big.zkey"
    path.write_bytes(binfile.encode(MAGIC, 1, [(1, b"head"), (2, payload)]))
    _, sections = read_sections(path, MAGIC)
    view = sections[2]
    assert isinstance(view.obj, __import__("mmap").mmap)  # mapped, not read
    checksum = int(np.frombuffer(view, dtype=np.uint64).sum())  # touches every page
    resident = _rss_file_mib()
    released = release(view)
    assert released >= (16 << 20) - 2 * 4096  # whole pages inside the section
    assert resident - _rss_file_mib() >= 12
    assert int(np.frombuffer(view, dtype=np.uint64).sum()) == checksum and bytes(view) == payload
    assert bytes(sections[1]) == b"head"  # the neighbouring section's bytes are intact


def test_release_leaves_other_buffers_alone(tmp_path):
    data = bytearray(b"x" * 100_000)
    assert release(memoryview(data)) == 0 and release(b"abc") == 0 and release(None) == 0
    assert data == bytearray(b"x" * 100_000)


def test_files_that_cannot_be_mapped_are_read_or_refused(tmp_path):
    empty = tmp_path / "empty.zkey"
    empty.write_bytes(b"")
    with pytest.raises(FormatError, match="bad magic"):
        read_sections(empty, MAGIC)
    with pytest.raises(FormatError, match="cannot read"):
        read_sections(tmp_path / "missing.zkey", MAGIC)
    small = tmp_path / "small.zkey"
    small.write_bytes(binfile.encode(MAGIC, 1, [(1, b"abcd")]))
    with pytest.raises(FormatError, match="larger than 10 bytes"):
        read_sections(small, MAGIC, limit=10)
