"""The app's CLI commands: each concept contributes its commands from its own ``cli.py`` (a
``commands`` list). A module listed here that is missing is an error, never skipped."""

from __future__ import annotations

import importlib

from flask import Flask

CLI_MODULES = (
    "cultivation.accounts.cli",
    "cultivation.backup.cli",
    "cultivation.demo.cli",
    "cultivation.imports.cli",
    "cultivation.screening.cli",
    "cultivation.seeding",
    "cultivation.scheduling.cli",
    "cultivation.web.cli",
)


def register_commands(app: Flask) -> None:
    for name in CLI_MODULES:
        module = importlib.import_module(name)
        for command in module.commands:
            app.cli.add_command(command)
