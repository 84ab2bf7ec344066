"""Load and soak: 10,000 concurrent streams in one process; a long stream in constant memory.

The machinery is ``benchmarks/bench_load.py``'s, which measures the same at full
size (throughput, memory per open stream, a 1 GB soak); here it runs at CI size
with the assertions.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_load import load, soak

STREAMS = 10_000


@pytest.mark.anyio
async def test_ten_thousand_concurrent_streams() -> None:
    """10,000 streams in one task group, all open at once, every fold equal to a sequential one.

    Each is a bundled recording (8-15 KB) replayed at speed 0 through
    ``Replayer.aiter_events``; each reads one event, waits until all 10,000 are
    open, then runs to its end.
    """
    result = await load(STREAMS)
    assert result["wrong"] == []
    assert result["done"] == STREAMS
    assert result["peak_open"] == STREAMS
    assert result["events"] == result["expected_events"] > 20 * STREAMS
    assert result["elapsed"] < 120, result["elapsed"]  # aim: well under a minute per backend


@pytest.mark.slow
def test_soak_memory_does_not_grow_with_length() -> None:
    """25 MB and 100 MB through decoder and fold: the same peak memory, give or take
    (the benchmark compares 100 MB with 1 GB)."""
    small = soak(25_000_000, trace=True)
    large = soak(100_000_000, trace=True)
    assert large["bytes"] >= 4 * small["bytes"] - 65536
    assert large["events"] > 3.9 * small["events"]
    assert large["peak"] < small["peak"] * 1.5 + 512 * 1024, (small, large)
    assert large["peak"] < 16 * 1024 * 1024, large
