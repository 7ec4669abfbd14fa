"""The repository documents itself: no pointers to notes outside it, and no dead links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"\.\./shared|\bDESIGN\.md\b|\bDOMAIN\.md\b|\bDOMAIN §|\bDESIGN (shape|')")
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def _texts() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "config.py", ROOT / "Makefile", ROOT / "pyproject.toml"]
    for folder in ("docs", "cultivation", "templates", "migrations", "tests", "bench", ".ci"):
        files += [p for p in (ROOT / folder).rglob("*")
                  if p.is_file() and p.suffix in {".md", ".py", ".yaml", ".html", ".txt", ""}
                  and "static" not in p.parts and "__pycache__" not in p.parts]
    return [p for p in files if p != Path(__file__).resolve()]


def test_nothing_points_at_notes_outside_the_repository() -> None:
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
                 for p in _texts()
                 for n, line in enumerate(p.read_text("utf-8", errors="replace").splitlines(), 1)
                 if OUTSIDE.search(line)]
    assert offenders == []


DOCS = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS)
def test_relative_links_lead_to_files_in_the_repository(doc: str) -> None:
    path = ROOT / doc
    targets = [m[1] for m in LINK.finditer(path.read_text("utf-8")) if "://" not in m[1]]
    missing = [t for t in targets if not (path.parent / t).exists()]
    assert missing == []


def test_domain_sections_cited_in_the_code_exist() -> None:
    headings = {int(m[1]) for m in re.finditer(r"^## (\d+)\. ", (ROOT / "docs/domain.md").read_text(
        "utf-8"), re.MULTILINE)}
    cited = {int(n) for p in _texts()
             for n in re.findall(r"domain\.md §(\d+)", p.read_text("utf-8", errors="replace"))}
    assert cited
    assert cited <= headings


@pytest.mark.parametrize("doc", DOCS)
def test_repository_paths_named_in_the_docs_exist(doc: str) -> None:
    text = (ROOT / doc).read_text("utf-8")
    named = re.findall(r"`((?:cultivation|tests|migrations|templates|docs|bench|\.ci)/[^`\s*<>]+)`",
                       text)
    missing = [p for p in named if not (ROOT / p.rstrip("/")).exists()]
    assert missing == []


def test_architecture_lists_every_package_of_the_app() -> None:
    text = (ROOT / "docs/architecture.md").read_text("utf-8")
    listed = set(re.findall(r"^\| `(\w+)` \|", text, re.MULTILINE))
    packages = {p.parent.name for p in (ROOT / "cultivation").glob("*/__init__.py")}
    assert listed == packages
