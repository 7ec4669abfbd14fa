"""JSON API under /api/v1: bearer-token auth, JSON errors with Chinese messages.

Every module of this package is imported when the blueprint loads, so a concept adds its routes
simply by creating ``cultivation/api/<concept>.py`` that does ``from cultivation.api import bp``
and decorates its views with ``cultivation.api.openapi.document`` (see that module's docstring:
an undocumented route fails tests/functional/test_api_openapi.py).
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Chinese messages stay readable in the JSON (curl, logs) instead of \uXXXX escapes.
bp.record_once(lambda state: setattr(state.app.json, "ensure_ascii", False))


def _load_route_modules() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"{__name__}.{info.name}")


_load_route_modules()
