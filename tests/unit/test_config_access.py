"""Only entry points read the app's config: a module outside them that refers to ``current_app``
(or ``has_app_context``) fails this test.

Entry points are the web views (``views.py``, ``*_views.py``), the JSON API (``api/``), CLI modules
(``cli.py``, ``seeding.py``), the job wiring (``jobs/definitions.py``), the app factory
(``cultivation/__init__.py``), ``extensions.py`` and the helpers every page shares (``web/``).
They build typed settings with ``cultivation.settings.settings_from`` and pass them down; services
and job bodies take ``now`` / ``today`` and those settings as parameters.

The references are read from the source (``ast``): an import inside a function body counts, a
word in a docstring or comment does not.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cultivation"
FORBIDDEN = {"current_app", "has_app_context"}
ENTRY_FILES = {"__init__.py", "extensions.py", "cli.py", "seeding.py", "jobs/definitions.py"}
ENTRY_PACKAGES = ("api/", "web/")


def is_entry_point(relative: str) -> bool:
    name = relative.rpartition("/")[2]
    return (relative in ENTRY_FILES or name in ("views.py", "cli.py")
            or name.endswith("_views.py") or relative.startswith(ENTRY_PACKAGES))


def references(source: str) -> list[int]:
    """Lines naming ``current_app`` / ``has_app_context`` (a name, an attribute or an import)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [alias.name.rpartition(".")[2] for alias in node.names]
        else:
            continue
        if FORBIDDEN.intersection(names):
            lines.append(node.lineno)
    return sorted(set(lines))


def config_readers(root: Path) -> dict[str, list[int]]:
    """Modules outside the entry points that refer to the app (path → line numbers)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if is_entry_point(relative):
            continue
        lines = references(path.read_text(encoding="utf-8"))
        if lines:
            found[f"{root.name}/{relative}"] = lines
    return found


def test_only_entry_points_refer_to_the_app() -> None:
    assert config_readers(PACKAGE) == {}


def test_the_check_finds_a_service_that_reads_the_app(tmp_path: Path) -> None:
    """The check can fail: a service importing ``current_app`` at the top, one importing it
    inside a function, and one using ``flask.current_app`` are reported; views, the API, a CLI
    module and the job wiring are not; a docstring mentioning the word is not."""
    root = tmp_path / "cultivation"
    for folder in ("mail", "reminders", "api", "jobs", "visits", "web"):
        (root / folder).mkdir(parents=True)
    (root / "mail" / "compose.py").write_text(
        "from flask import current_app\n\ndef base_url():\n"
        "    return current_app.config['BASE_URL']\n")
    (root / "reminders" / "windows.py").write_text(
        "def catchup():\n    from flask import current_app\n"
        "    return current_app.config['REMINDER_CATCHUP_DAYS']\n")
    (root / "reminders" / "expiry.py").write_text(
        "import flask\n\ndef days():\n    return flask.current_app.config['X']\n")
    (root / "reminders" / "due.py").write_text('"""Never reads current_app."""\n')
    for entry in ("visits/views.py", "visits/kind_views.py", "api/auth.py", "visits/cli.py",
                  "jobs/definitions.py", "web/clock.py", "__init__.py"):
        (root / entry).write_text("from flask import current_app, has_app_context\n")
    assert config_readers(root) == {
        "cultivation/mail/compose.py": [1, 4],
        "cultivation/reminders/expiry.py": [4],
        "cultivation/reminders/windows.py": [2, 3],
    }


# The configured clock (``cultivation.web.clock``) looks the zone up in the app when none is
# given, so below the entry points it is a hidden read too: services get the zone (or ``today``)
# passed and use the pure ``cultivation.clock``. Two helpers build a response inside a request
# and may use it: the firm pages' record form and the xlsx response.
WEB_HELPERS = {"enterprises/pages.py", "reports/xlsx.py", "scheduling/scheduler.py"}


def clock_users(root: Path) -> dict[str, list[int]]:
    """Modules below the entry points importing the configured clock (path → line numbers)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if is_entry_point(relative) or relative in WEB_HELPERS:
            continue
        lines = sorted({
            node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if (isinstance(node, ast.ImportFrom) and (
                node.module == "cultivation.web.clock"
                or (node.module == "cultivation.web"
                    and any(alias.name == "clock" for alias in node.names))))
            or (isinstance(node, ast.Import)
                and any(alias.name == "cultivation.web.clock" for alias in node.names))})
        if lines:
            found[f"{root.name}/{relative}"] = lines
    return found


def test_services_do_not_use_the_configured_clock() -> None:
    assert clock_users(PACKAGE) == {}


def test_the_clock_check_finds_a_service_using_the_configured_clock(tmp_path: Path) -> None:
    root = tmp_path / "cultivation"
    (root / "todos").mkdir(parents=True)
    (root / "todos" / "sync.py").write_text("from cultivation.web.clock import local_date\n")
    (root / "todos" / "sources.py").write_text("from cultivation.web import clock\n")
    (root / "todos" / "pure.py").write_text("from cultivation.clock import local_date\n")
    (root / "todos" / "views.py").write_text("from cultivation.web.clock import clock\n")
    assert clock_users(root) == {"cultivation/todos/sources.py": [1],
                                 "cultivation/todos/sync.py": [1]}
