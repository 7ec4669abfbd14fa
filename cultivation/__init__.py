"""梯次培育 tracker: the Flask application factory."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from config import INSTANCE_DIR, config_class

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


def resource_dir(name: str) -> Path:
    """``migrations`` or ``templates``: inside the package when installed (the wheel maps the
    repository's top-level folders there, see pyproject.toml), else the checkout's own folder."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else ROOT / name


# One blueprint module per concept; each exposes ``bp``.
BLUEPRINT_MODULES = (
    "cultivation.accounts.views",
    "cultivation.dashboard.views",
    "cultivation.enterprises.views",
    "cultivation.enterprises.figure_views",
    "cultivation.enterprises.search_views",
    "cultivation.enterprises.board_views",
    "cultivation.qualifications.views",
    "cultivation.visits.views",
    "cultivation.admin.views",
    "cultivation.portfolios.views",
    "cultivation.audit.views",
    "cultivation.api",
    "cultivation.imports.views",
    "cultivation.screening.views",
    "cultivation.parameters.views",
    "cultivation.reports.views",
    "cultivation.targets.views",
    "cultivation.scheduling.views",
    "cultivation.mail.views",
    "cultivation.windows.views",
    "cultivation.qualifications.kind_views",
    "cultivation.todos.views",
    "cultivation.channels.views",
    "cultivation.savedfilters.views",
    "cultivation.bulk.views",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app; ``config`` overrides settings (e.g. the database URI in tests)."""
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_path=str(INSTANCE_DIR),
    )
    load_settings(app, config)
    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_templates(app)
    register_security(app)
    register_errors(app)
    register_cli(app)
    return app


def load_settings(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Class defaults (CULTIVATION_ENV picks the class), then ``overrides``; then validate."""
    cls = config_class()
    if overrides and overrides.get("TESTING") and cls.ENV_NAME == "development":
        from config import TestConfig

        cls = TestConfig
    app.config.from_object(cls)
    if overrides:
        app.config.update(overrides)
    cls.validate(dict(app.config))
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_size": app.config["DB_POOL_SIZE"],
            "max_overflow": app.config["DB_MAX_OVERFLOW"],
        }
    if (
        app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
        and ":memory:" not in (app.config["SQLALCHEMY_DATABASE_URI"])
    ):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("cultivation").setLevel(logging.INFO)


def register_extensions(app: Flask) -> None:
    from cultivation.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"

    from cultivation.database import sqlite_pragmas

    with app.app_context():
        sqlite_pragmas(db.engine)


def register_models() -> None:
    """Import every concept's models so metadata (and Alembic) sees all tables."""
    from cultivation import model_registry  # noqa: F401
    from cultivation.dashboard.invalidation import install as install_figures
    from cultivation.qualifications.spans import install
    from cultivation.screening.changes import install as install_fact_changes

    install()  # tier spans follow every ORM write of a qualification
    install_fact_changes()  # the next screening run examines the firms whose facts were written
    install_figures()  # cached dashboard figures are invalidated by the writes they depend on


def register_blueprints(app: Flask) -> None:
    from cultivation.web.converters import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        app.register_blueprint(module.bp)


def register_templates(app: Flask) -> None:
    from cultivation.web.filters import register_filters

    register_filters(app)


def register_security(app: Flask) -> None:
    from cultivation.web.security import register_security as register

    register(app)


def register_errors(app: Flask) -> None:
    from cultivation.web.errors import register_error_handlers

    register_error_handlers(app)


def register_cli(app: Flask) -> None:
    from cultivation.commands import register_commands

    register_commands(app)
