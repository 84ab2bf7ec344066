"""Test-wide fixtures: every async test runs on asyncio and on trio."""

from __future__ import annotations

import pytest

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
