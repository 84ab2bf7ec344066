"""Fuzzing the recording reader with arbitrary and damaged recording files."""

from __future__ import annotations

from hypothesis import given, strategies as st

from . import targets
from .strategies import fuzz_settings, mutated, recording_files


@fuzz_settings(smoke=100)
@given(data=recording_files(), suffix=st.sampled_from([".ndjson", ".ndjson.gz"]))
def test_damaged_recordings(data: bytes, suffix: str) -> None:
    """A damaged recording reads, or fails with RecordingError; what reads, replays."""
    targets.check_recording(data, suffix)


@fuzz_settings(smoke=60)
@given(data=st.binary(max_size=600) | mutated(st.binary(max_size=200)))
def test_arbitrary_bytes(data: bytes) -> None:
    """Any bytes at all, as a recording and as a gzipped one."""
    targets.check_recording(data)
    targets.check_recording(data, ".ndjson.gz", compress=False)
