"""Test-wide fixtures: every async test runs on asyncio and on trio; every tokenizer
test on the pure-Python decoder and on the compiled one."""

from __future__ import annotations

import pytest

from streamkit import _sse

pytest_plugins = ("pytester",)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session", autouse=True)
def _dialects_imported() -> None:
    """Every dialect imported up front.

    pytester's in-process runs drop the modules first imported inside them,
    while the dialect registry keeps the dialects it loaded there: a later
    import would then make a second, different set of event classes.
    """
    from streamkit import dialects

    for name in dialects.names():
        dialects.get(name)


@pytest.fixture(scope="session", params=["python", "c"])
def sse_decoder(request: pytest.FixtureRequest) -> type[_sse.PySSEDecoder]:
    """Each SSE decoder class: the pure-Python one, and the compiled one where it is in use.

    Session-scoped, so hypothesis tests can take it.  The ``c`` case is skipped
    when the extension was not built or ``STREAMKIT_PURE_PYTHON`` is set
    (``tests/test_sse_compiled.py`` says whether that was expected).
    """
    if request.param == "python":
        return _sse.PySSEDecoder
    if _sse.CSSEDecoder is None:
        pytest.skip("the compiled tokenizer is not in use")
    return _sse.CSSEDecoder
