"""JSON API under /api/v1: bearer-token auth, JSON errors with Chinese messages.

Each concept adds its routes in ``cultivation/api/<concept>.py`` on ``bp`` and is imported below.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from cultivation.api import auth  # noqa: E402,F401  (registers before_request)
