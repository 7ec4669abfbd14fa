"""The lock files (`make lock`) agree with pyproject.toml's ranges and pin all with hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _pins(name: str) -> dict[str, str]:
    """Package → version from a lock file; every pinned entry must carry a hash."""
    text = (ROOT / name).read_text("utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    pins: dict[str, str] = {}
    for entry in entries:
        match = PIN.match(entry)
        if match:
            assert "--hash=sha256:" in entry, f"{name}: {match[1]} has no hash"
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def _declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    listed = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(line) for line in listed]


@pytest.mark.parametrize(("lock", "extra"), [("requirements.txt", None),
                                             ("requirements-test.txt", "test")])
def test_the_lock_pins_every_declared_dependency_within_its_range(lock: str,
                                                                   extra: str | None) -> None:
    pins = _pins(lock)
    for requirement in _declared(extra):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} lacks {name}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock}: {name}=={pins[name]} is outside {requirement.specifier}: run `make lock`")


def test_the_app_and_test_locks_agree_on_shared_packages() -> None:
    app, test = _pins("requirements.txt"), _pins("requirements-test.txt")
    assert app.keys() <= test.keys()
    assert {n: v for n, v in test.items() if n in app} == app
