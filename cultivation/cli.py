"""The ``cultivation`` console script: the same commands as ``flask --app cultivation``.

The commands themselves are registered by the app factory (``cultivation.commands``).
"""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import FlaskGroup

from cultivation import create_app


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True,
             load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """梯次培育 tracker 命令行。"""
    os.environ.setdefault("FLASK_APP", "cultivation")
