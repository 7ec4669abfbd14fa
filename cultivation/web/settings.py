"""The running app's settings for entry points (views, the API, CLI commands, the job wiring).

Entry points call ``app_settings()`` once per request, command or job run and pass the typed
parts down; services and job bodies never read the app's config themselves.
"""

from __future__ import annotations

from flask import current_app, g

from cultivation.parameters.services import readable_table
from cultivation.policy import ParameterTable
from cultivation.regions import Region, load_region
from cultivation.settings import Settings, settings_from


def app_settings() -> Settings:
    """The typed settings of the running app (read now: tests may change the config)."""
    return settings_from(current_app.config)


def current_region() -> Region:
    """The region configured for the running app (``REGION_FILE``, default 仙居)."""
    return load_region(current_app.config.get("REGION_FILE"))


def request_parameters() -> ParameterTable:
    """The parameter table of the current web or API request (read once; never writes)."""
    from cultivation.extensions import db

    table: ParameterTable | None = g.get("policy_parameters")
    if table is None:
        table = g.policy_parameters = readable_table(
            db.session, parameter_dir=app_settings().parameter_dir)
    return table
