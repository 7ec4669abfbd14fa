"""pyproject.toml lists its packages by hand (to map migrations/ and templates/ into the
package); a new sub-package must be listed too, or a wheel silently leaves it out."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_package_in_the_tree_is_listed_in_pyproject() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "cultivation").rglob("__init__.py")
    }
    mapped = set(setuptools["package-dir"])

    assert set(setuptools["packages"]) - mapped == on_disk
    assert {ROOT / folder for folder in setuptools["package-dir"].values()} == {
        ROOT / "migrations", ROOT / "templates"}
