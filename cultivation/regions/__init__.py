"""The county an installation serves: division code, towns and local industries (config data)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_FILE = Path(__file__).with_name("xianju.yaml")


@dataclass(frozen=True)
class Region:
    """Towns and industries that forms, imports and the API accept."""

    code: str
    name: str
    towns: tuple[str, ...]
    industries: tuple[str, ...]

    def match_town(self, raw: str | None) -> str | None:
        """The configured town for ``raw`` (exact, or without its 镇/乡/街道 suffix)."""
        if not raw:
            return None
        text = raw.strip()
        if text in self.towns:
            return text
        for town in self.towns:
            if text and town.startswith(text) and len(text) >= 2:
                return town
        return None

    def match_industry(self, raw: str | None) -> str | None:
        if not raw:
            return None
        text = raw.strip()
        return text if text in self.industries else None


@lru_cache(maxsize=8)
def load_region(path: str | None = None) -> Region:
    """Read and check a region file (the built-in 仙居 one by default)."""
    file = Path(path) if path else DEFAULT_FILE
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    towns = tuple(str(t) for t in data.get("towns") or ())
    industries = tuple(str(i) for i in data.get("industries") or ())
    if not towns or not industries:
        raise ValueError(f"{file}: a region needs towns and industries")
    return Region(code=str(data["code"]), name=str(data["name"]), towns=towns,
                  industries=industries)
