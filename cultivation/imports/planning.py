"""Deciding, a chunk of rows at a time, what each checked row will do: create, update or leave
unchanged — with one query per chunk for the firms and one for their existing rows.

The dry run stops here; the commit applies the plan (services.apply_step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_

from cultivation.accounts.models import User
from cultivation.audit.services import jsonable
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.imports.rows import Candidate, Issue, RowChecker
from cultivation.inputs import folded
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification


@dataclass
class Importer:
    """Who imports: an admin (or the CLI) may touch every firm; an advisor only their portfolio."""

    user: User | None
    is_admin: bool
    portfolio: set[int] = field(default_factory=set)
    advisors: dict[str, User] = field(default_factory=dict)  # username / display name → user
    region_code: str = ""

    @property
    def actor(self) -> Any:
        return self.user if self.user is not None else "cli"

    def may_change(self, firm: Enterprise) -> bool:
        return self.is_admin or firm.id in self.portfolio


# The one answer for a row about a firm outside the importer's portfolio: checked before any
# comparison with stored data, the same whatever the row holds (a dry run is no oracle).
OUTSIDE_PORTFOLIO = "该企业不在您的联系企业范围内，本行未与已有数据比较，不导入"


def _outside(checker: RowChecker, importer: Importer, cand: Candidate,
             firm: Enterprise | None) -> Issue | None:
    """The fixed skip for a registered firm the importer may not change, else None."""
    if firm is None or importer.may_change(firm):
        return None
    return checker.issue(cand.row, "credit_code", cand.code, OUTSIDE_PORTFOLIO)


def load_importer(session: DbSession, user: User | None, region_code: str) -> Importer:
    """The importer with its portfolio and the advisors (two small queries)."""
    advisors: dict[str, User] = {}
    for advisor in session.scalars(select(User).where(User.role == "advisor",
                                                      User.is_active_flag.is_(True))):
        advisors.setdefault(folded(advisor.display_name) or "", advisor)
        advisors[(folded(advisor.username) or "").lower()] = advisor
    portfolio: set[int] = set()
    if user is not None and not user.is_admin:
        portfolio = set(session.scalars(select(PortfolioAssignment.enterprise_id).where(
            PortfolioAssignment.advisor_id == user.id, PortfolioAssignment.ended_on.is_(None))))
    return Importer(user, user is None or user.is_admin, portfolio, advisors, region_code)


@dataclass
class Step:
    """One planned row: its action and what it needs to be applied."""

    candidate: Candidate
    action: str  # create | update | unchanged
    firm: Enterprise | None = None
    existing: Any = None
    changes: dict[str, Any] = field(default_factory=dict)
    advisor: User | None = None
    advisor_changed: bool = False
    advisor_before: str | None = None  # the current advisor's name, for the preview


@dataclass
class ChunkPlan:
    steps: list[Step] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if jsonable(getattr(obj, k)) != jsonable(v)}


def plan_chunk(session: DbSession, checker: RowChecker, importer: Importer,
               candidates: Sequence[Candidate]) -> ChunkPlan:
    """Plan a chunk of checked rows of ``checker.kind``."""
    plan = ChunkPlan()
    codes = {c.code for c in candidates}
    firms = {f.credit_code: f for f in session.scalars(
        select(Enterprise).where(Enterprise.credit_code.in_(codes)))}
    if checker.kind == "firms":
        _plan_firms(session, checker, importer, candidates, firms, plan)
    else:
        _plan_rows(session, checker, importer, candidates, firms, plan)
    return plan


def _plan_firms(session: DbSession, checker: RowChecker, importer: Importer,
                candidates: Sequence[Candidate], firms: dict[str, Enterprise],
                plan: ChunkPlan) -> None:
    ids = [f.id for f in firms.values()]
    current = {row[0]: (row[1], row[2]) for row in session.execute(
        select(PortfolioAssignment.enterprise_id, User.username, User.display_name)
        .join(User, User.id == PortfolioAssignment.advisor_id)
        .where(PortfolioAssignment.enterprise_id.in_(ids), PortfolioAssignment.ended_on.is_(None))
    )} if ids else {}
    for cand in candidates:
        issues: list[Issue] = []
        firm = firms.get(cand.code)
        outside = _outside(checker, importer, cand, firm)
        if outside is not None:
            plan.skipped.append(outside)
            continue
        if firm is not None and firm.deleted_at is not None:
            plan.issues.append(checker.issue(cand.row, "credit_code", cand.raw.get("credit_code"),
                                             "该企业已被删除，请联系管理员恢复后再导入"))
            continue
        username, shown_as = current.get(firm.id, (None, None)) if firm else (None, None)
        advisor, changed = _advisor(checker, importer, cand, username, issues)
        if firm is None:
            for name in ("name", "town"):
                if name not in cand.values:
                    label = schemas.ENTERPRISE[name].label
                    issues.append(checker.issue(cand.row, name, cand.raw.get(name),
                                                f"新登记的企业必须填写{label}"))
            if importer.user is not None and not importer.is_admin and advisor is None:
                advisor = importer.user
            step = Step(cand, "create", advisor=advisor, advisor_changed=advisor is not None)
        else:
            changes = _changes(firm, cand.values)
            action = "update" if changes or changed else "unchanged"
            step = Step(cand, action, firm, changes=changes, advisor=advisor,
                        advisor_changed=changed, advisor_before=shown_as or username)
        if issues:
            plan.issues.extend(issues)
        else:
            plan.steps.append(step)


def _advisor(checker: RowChecker, importer: Importer, cand: Candidate, current: str | None,
             issues: list[Issue]) -> tuple[User | None, bool]:
    if not cand.advisor:
        return None, False
    key = folded(cand.advisor) or ""
    user = importer.advisors.get(key.lower()) or importer.advisors.get(key)
    if user is None:
        issues.append(checker.issue(cand.row, "advisor", cand.advisor,
                                    f"未知的科技指导员“{cand.advisor}”（填写用户名或姓名）"))
        return None, False
    if user.username == current:
        return user, False
    own = importer.user is not None and user.id == importer.user.id
    if not importer.is_admin and not (own and current is None):
        issues.append(checker.issue(cand.row, "advisor", cand.advisor,
                                    "只有管理员可以分配或更换科技指导员"))
        return None, False
    return user, True


def _plan_rows(session: DbSession, checker: RowChecker, importer: Importer,
               candidates: Sequence[Candidate], firms: dict[str, Enterprise],
               plan: ChunkPlan) -> None:
    live = {code: f for code, f in firms.items() if f.deleted_at is None}
    ids = [f.id for f in live.values()]
    existing: dict[tuple[Any, ...], Any] = {}
    if ids and checker.kind == "figures":
        years = {c.year for c in candidates}
        for figures in session.scalars(select(FiscalYearFigures).where(
                tuple_(FiscalYearFigures.enterprise_id, FiscalYearFigures.year).in_(
                    [(i, y) for i in ids for y in years]) if len(ids) * len(years) <= 2000
                else FiscalYearFigures.enterprise_id.in_(ids))):
            existing[(figures.enterprise_id, figures.year)] = figures
    elif ids:
        for qual in session.scalars(select(Qualification).where(
                Qualification.enterprise_id.in_(ids))):
            existing[(qual.enterprise_id, qual.kind, qual.valid_from)] = qual
            if qual.number:
                existing.setdefault((qual.enterprise_id, qual.kind, qual.number), qual)
    row: Any
    for cand in candidates:
        outside = _outside(checker, importer, cand, firms.get(cand.code))
        if outside is not None:
            plan.skipped.append(outside)
            continue
        firm = live.get(cand.code)
        if firm is None:
            if checker.kind == "qualifications" and cand.code[2:8] != importer.region_code:
                plan.skipped.append(checker.issue(
                    cand.row, "credit_code", cand.code,
                    f"非本县登记的企业（代码第3–8位为{cand.code[2:8]}）且未在系统中登记，已跳过"))
            else:
                plan.issues.append(checker.issue(
                    cand.row, "credit_code", cand.raw.get("credit_code"),
                    "企业未登记：请先导入或登记该企业"))
            continue
        if checker.kind == "figures":
            row = existing.get((firm.id, cand.year))
            if row is not None:
                merged = {k: cand.values.get(k, getattr(row, k)) for k in schemas.FIGURES}
                problems = schemas.check_figures(merged)
                if problems:
                    for name, messages in problems.items():
                        plan.issues.append(checker.issue(
                            cand.row, name, cand.raw.get(name),
                            "；".join(messages) + "（与已有数据合并后）"))
                    continue
        else:
            v = cand.values
            row = existing.get((firm.id, v["kind"], v["valid_from"])) or (
                existing.get((firm.id, v["kind"], v["number"])) if v.get("number") else None)
        changes = _changes(row, cand.values) if row is not None else dict(cand.values)
        action = "create" if row is None else ("update" if changes else "unchanged")
        plan.steps.append(Step(cand, action, firm, row, changes))
