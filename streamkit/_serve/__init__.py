"""HTTP servers over recordings: ``streamkit serve`` (a mock API) and ``streamkit proxy``.

Integrations of the recording layer (``pip install 'streamkit[serve]'``):
:class:`ServeApp` answers requests with recorded exchanges, paced and
faulted as asked; :class:`ProxyApp` passes requests on to a real API and
records every exchange into a session.  Both are plain ASGI applications,
written against anyio; :func:`run` serves one on uvicorn.  Nothing here is
imported by ``import streamkit``.
"""

from __future__ import annotations

from ._app import ServeApp
from ._faults import FaultError, FaultSpec, parse as parse_faults
from ._library import Entry, Library, load

__all__ = ("Entry", "FaultError", "FaultSpec", "Library", "ServeApp", "load", "parse_faults")
