"""The ``cultivation`` console script: the same commands as ``flask --app cultivation``.

Each concept contributes its commands from its own ``cli.py`` (a ``commands`` list).
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import click
from flask import Flask
from flask.cli import FlaskGroup

CLI_MODULES = (
    "cultivation.accounts.cli",
    "cultivation.demo.cli",
    "cultivation.imports.cli",
    "cultivation.qualifications.cli",
    "cultivation.screening.cli",
    "cultivation.scheduling.cli",
    "cultivation.web.cli",
)


def register_commands(app: Flask) -> None:
    for name in CLI_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for command in module.commands:
            app.cli.add_command(command)


def _create_app() -> Flask:
    from cultivation import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True,
             load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """梯次培育 tracker 命令行。"""
    os.environ.setdefault("FLASK_APP", "cultivation")
