"""The wheel (what `pip install .` installs) carries migrations/ and templates/ and works.

Before the package-dir mapping in pyproject.toml, a non-editable install had neither: `db upgrade`
failed with "Path doesn't exist: …/site-packages/migrations" and every page with TemplateNotFound.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a clean copy: setuptools builds in place, and a stale build/ in the checkout
    # would both be reused and be left behind.
    source = out / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "instance",
        "test-artifacts"))
    # No build isolation: setuptools comes from the test extra, so no network is needed.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("cultivation-*.whl")
    return built


def _repo_files(folder: str) -> set[str]:
    return {
        str(p.relative_to(ROOT / folder))
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize("folder", ["migrations", "templates"])
def test_the_wheel_carries_every_file_of_the_folder_inside_the_package(
    wheel: Path, folder: str
) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    prefix = f"cultivation/{folder}/"
    packaged = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}

    assert _repo_files(folder) <= packaged
    assert not any(n.startswith(f"{folder}/") for n in names)  # nothing at the top of site-packages


def test_an_installed_copy_outside_the_checkout_migrates_and_renders_the_login_page(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, capture_output=True,
                   timeout=300)
    code = (
        "import sys, config, cultivation, flask_migrate\n"
        f"assert cultivation.__file__.startswith({str(site)!r}), cultivation.__file__\n"
        "assert str(config.INSTANCE_DIR).startswith(sys.prefix), config.INSTANCE_DIR\n"
        "app = cultivation.create_app()\n"
        "with app.app_context(): flask_migrate.upgrade()\n"
        "page = app.test_client().get('/login')\n"
        "print(page.status_code, '用户名' in page.get_data(as_text=True))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CULTIVATION_")}
    env.update(PYTHONPATH=str(site), CULTIVATION_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300, check=False)

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == ["200", "True"]
