"""Report parameters as users give them (as-of date, town, industry, advisor) and their checks.

Shared by the report pages and the JSON API: a bad value raises ``FilterError`` with a Chinese
message naming the field, which the page shows and the API answers with 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.inputs import InputError, parse_date
from cultivation.regions import Region


class FilterError(ValueError):
    """A report parameter that cannot be used; ``message`` is Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ReportFilters:
    """Optional narrowing of a report; empty strings mean "all"."""

    town: str = ""
    industry: str = ""
    advisor: str = ""  # username
    advisor_id: int | None = None
    advisor_name: str = ""

    def as_json(self) -> dict[str, str | None]:
        """The filters as the API echoes them (None = not filtered)."""
        return {"town": self.town or None, "industry": self.industry or None,
                "advisor": self.advisor or None}

    def describe(self) -> dict[str, str]:
        """Chinese label → value, for report headers and the xlsx title rows."""
        return {
            "乡镇（街道）": self.town or "全部",
            "产业": self.industry or "全部",
            "指导员": self.advisor_name or "全部",
        }

    def query_args(self) -> dict[str, str]:
        """The non-empty filters as URL parameters."""
        return {k: v for k, v in (("town", self.town), ("industry", self.industry),
                                  ("advisor", self.advisor)) if v}



def parse_day(raw: Any, *, field: str, default: date, label: str = "统计日期") -> date:
    """A date parameter (ISO or 2025年6月30日); blank gives ``default``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    try:
        day = parse_date(raw)
    except InputError as exc:
        raise FilterError(field, f"{label}无效：{exc}") from exc
    except (TypeError, ValueError) as exc:
        raise FilterError(field, f"{label}格式应为 YYYY-MM-DD") from exc
    if day is None:
        return default
    if not 1949 <= day.year <= 2200:
        raise FilterError(field, f"{label}超出可统计范围（1949—2200年）")
    return day


def parse_filters(session: DbSession, args: Mapping[str, Any], region: Region) -> ReportFilters:
    """Town and industry must be configured; the advisor is a username of an advisor."""
    town_raw = str(args.get("town") or "").strip()
    industry_raw = str(args.get("industry") or "").strip()
    advisor_raw = str(args.get("advisor") or "").strip()
    town = ""
    if town_raw:
        town = region.match_town(town_raw) or ""
        if not town:
            raise FilterError("town", f"未知的乡镇（街道）：{town_raw}")
    industry = ""
    if industry_raw:
        industry = region.match_industry(industry_raw) or ""
        if not industry:
            raise FilterError("industry", f"未知的产业：{industry_raw}")
    if not advisor_raw:
        return ReportFilters(town=town, industry=industry)
    user = session.scalar(select(User).where(User.username == advisor_raw))
    if user is None or user.role != "advisor":
        raise FilterError("advisor", f"未知的科技指导员：{advisor_raw}")
    return ReportFilters(town=town, industry=industry, advisor=user.username,
                         advisor_id=user.id, advisor_name=user.display_name)


def parse_report_args(
    session: DbSession, args: Mapping[str, Any], region: Region, today: date
) -> tuple[date, ReportFilters]:
    """``as_of`` (default today) and the filters from query-string arguments."""
    as_of = parse_day(args.get("as_of"), field="as_of", default=today)
    return as_of, parse_filters(session, args, region)
