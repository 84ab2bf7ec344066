"""Fuzzing typed decoding and the fold of every registered dialect that imports."""

from __future__ import annotations

import warnings
from typing import Any

import anyio
import pytest
from hypothesis import given, strategies as st

import streamkit

from . import targets
from .strategies import cuts, dialect_stream, fuzz_settings

DIALECTS = targets.dialect_names()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_has_seed_material(dialect: str) -> None:
    """The fuzzer grows its inputs from real events of each dialect."""
    if not targets.real_events(dialect):
        pytest.skip(f"no real recordings of {dialect} to seed from")
    assert targets.real_events(dialect)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_typed_decoding_and_fold(dialect: str) -> None:
    """Mutated real streams: only DecodeError escapes, chunkings and policies agree, folds hold."""

    @fuzz_settings(smoke=60)
    @given(body=dialect_stream(dialect), cuts=cuts)
    def run(body: bytes, cuts: list[int]) -> None:
        events = targets.check_dialect(dialect, body, cuts)
        targets.check_fold(dialect, events)

    run()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_fold_of_plausible_streams(dialect: str) -> None:
    """Real events reordered, repeated and sharing ids: the fold never crashes."""

    @fuzz_settings(smoke=60)
    @given(body=dialect_stream(dialect, wild=False))
    def run(body: bytes) -> None:
        events = list(streamkit.iter_events([body], dialect, on_error="skip"))
        targets.check_fold(dialect, events)

    run()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_async_agrees_with_sync(dialect: str, backend: str) -> None:
    """aiter_events gives what iter_events gives, error included, on asyncio and trio."""

    @fuzz_settings(smoke=15)
    @given(body=dialect_stream(dialect), cuts=cuts, policy=st.sampled_from(targets.POLICIES))
    def run(body: bytes, cuts: list[int], policy: Any) -> None:
        chunks = targets.split_at(body, cuts)
        sync = targets.Typed(chunks, dialect, policy)

        async def collect() -> tuple[list[Any], Any]:
            async def source() -> Any:
                for chunk in chunks:
                    await anyio.lowlevel.checkpoint()
                    yield chunk

            got: list[Any] = []
            try:
                async for event in streamkit.aiter_events(source(), dialect, on_error=policy):
                    got.append(event)  # noqa: PERF401 - keep what came before an error
            except streamkit.StreamError as exc:
                return got, exc
            return got, None

        with warnings.catch_warnings():  # a mutated body may look like another dialect's
            warnings.simplefilter("ignore", streamkit.DialectMismatch)
            events, error = anyio.run(collect, backend=backend)
        assert [targets.event_key(e) for e in events] == sync.keys
        assert targets._error_key(error) == targets._error_key(sync.error)

    run()
