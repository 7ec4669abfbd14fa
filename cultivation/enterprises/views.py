"""Web pages of this concept (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")
