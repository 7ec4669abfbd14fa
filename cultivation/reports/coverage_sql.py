"""The SQL of 三覆盖: per firm on a day its population memberships, coverage and listed gaps
(``member_rows``), and the one statement that brings back a page's counts with its uncovered
list (``summary_and_list``). The reports built on it are ``reports.coverage``."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import CTE, Subquery

from cultivation.accounts.access import VisibleScope
from cultivation.accounts.models import User
from cultivation.enterprises.models import Enterprise, EnterpriseFlag
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution, TierSpan
from cultivation.qualifications.queries import in_force_on, span_on
from cultivation.qualifications.tiers import TIER_RANK
from cultivation.reports.coverage_types import KINDS, UncoveredFirm, coverage_rules
from cultivation.reports.tiersql import (
    active_position_join,
    firm_exists_on,
    institution_in_force,
)


def flags_on(as_of: date) -> Subquery:
    """(enterprise_id, listed, above_scale): each firm's dated flags in force on ``as_of`` as
    0/1 (NULL: no dated row by then — the firm's current flag holds), for the firms with a
    history. The same answer as ``enterprises.flags.flag_on``, as one join instead of a
    correlated subquery per firm and flag."""
    latest = func.row_number().over(partition_by=(EnterpriseFlag.enterprise_id,
                                                  EnterpriseFlag.flag),
                                    order_by=EnterpriseFlag.valid_from.desc())
    rows = (select(EnterpriseFlag.enterprise_id, EnterpriseFlag.flag,
                   case((EnterpriseFlag.value.is_(True), 1), else_=0).label("value"),
                   latest.label("rn"))
            .where(EnterpriseFlag.valid_from <= as_of).subquery("flag_rows"))
    return (select(rows.c.enterprise_id,
                   *[func.max(case((rows.c.flag == f, rows.c.value))).label(f)
                     for f in ("listed", "above_scale")])
            .where(rows.c.rn == 1).group_by(rows.c.enterprise_id).subquery("cov_flags"))


def flag_value(flags: Subquery, name: str) -> ColumnElement[bool]:
    """The firm's flag on the day: its dated value, else the current one."""
    current = case((getattr(Enterprise, name).is_(True), 1), else_=0)
    return func.coalesce(flags.c[name], current) == 1


def member_conditions(as_of: date) -> tuple[Subquery, Subquery, Subquery,
                                            dict[str, ColumnElement[bool]],
                                            dict[str, ColumnElement[bool]]]:
    """Per-firm tier, institution and flag subqueries; membership and covered conditions."""
    day = literal(as_of)
    # Tier from the maintained spans; 高企 in force is the tier itself, or above it (领军)
    # a 高企 certificate next to it.
    hnte = TIER_RANK["hnte"]
    hnte_certificate = exists().where(
        Qualification.enterprise_id == TierSpan.enterprise_id, Qualification.kind == "hnte",
        in_force_on(day))
    tiers = (
        select(
            TierSpan.enterprise_id.label("enterprise_id"),
            TierSpan.rank.label("rank"),
            case((TierSpan.rank == hnte, 1), (and_(TierSpan.rank > hnte, hnte_certificate), 1),
                 else_=0).label("hnte"),
        )
        .where(span_on(day), TierSpan.rank > 0)
        .subquery("cov_tiers")
    )
    rules = coverage_rules()
    inst = (
        select(
            RDInstitution.enterprise_id.label("enterprise_id"),
            *[func.max(case((RDInstitution.kind.in_(rules[k].covered_by), 1), else_=0)).label(k)
              for k in KINDS],
        )
        .where(institution_in_force(day))
        .group_by(RDInstitution.enterprise_id)
        .subquery("cov_institutions")
    )
    rank = func.coalesce(tiers.c.rank, 0).cast(Integer)
    flags = flags_on(as_of)
    above_scale = flag_value(flags, "above_scale")  # the flags in force on the day
    member = {
        "listed": flag_value(flags, "listed"),
        "above_scale_hnte": and_(above_scale, func.coalesce(tiers.c.hnte, 0) == 1),
        "above_scale_tech": and_(above_scale, rank >= TIER_RANK["tech_sme"]),
    }
    covered = {k: and_(member[k], func.coalesce(inst.c[k], 0) == 1) for k in KINDS}
    return tiers, inst, flags, member, covered


def in_some_population(flags: Subquery) -> ColumnElement[bool]:
    """Listed or above scale on the day of ``flags``: every population needs one of them
    (narrows before the joins)."""
    return or_(flag_value(flags, "listed"), flag_value(flags, "above_scale"))


def member_rows(as_of: date, scope: VisibleScope, *, advisors: bool = True) -> CTE:
    """Every firm in at least one population on ``as_of``, once: its code, name, town,
    industry, advisor on that day (NULL without ``advisors``: no portfolio join), per kind
    membership (``m_``), coverage (``c_``) and gap (``g_``: a member, not covered, and its
    details visible to ``scope`` — the firms listed as uncovered; being on the list says
    listed / above scale and without an institution)."""
    tiers, inst, flags, member, covered = member_conditions(as_of)
    visible = scope.details(Enterprise.id)
    who = ([User.username, User.display_name] if advisors
           else [null().label("username"), null().label("display_name")])
    stmt = (
        select(
            Enterprise.credit_code, Enterprise.name, Enterprise.town, Enterprise.industry, *who,
            *[case((member[k], 1), else_=0).label(f"m_{k}") for k in KINDS],
            *[case((covered[k], 1), else_=0).label(f"c_{k}") for k in KINDS],
            *[case((and_(member[k], func.coalesce(inst.c[k], 0) == 0, visible), 1),
                   else_=0).label(f"g_{k}") for k in KINDS],
        )
        .select_from(Enterprise)
        .outerjoin(flags, flags.c.enterprise_id == Enterprise.id)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .where(firm_exists_on(literal(as_of)), in_some_population(flags))
    )
    if advisors:
        stmt = (stmt.outerjoin(PortfolioAssignment, active_position_join(literal(as_of)))
                .outerjoin(User, User.id == PortfolioAssignment.advisor_id))
    return stmt.cte("cov_members")


def gap_filter(members: CTE, kind: str = "") -> ColumnElement[bool]:
    """The members listed as uncovered in ``kind`` ("" = in any kind)."""
    kinds = [kind] if kind else list(KINDS)
    return or_(*[members.c[f"g_{k}"] == 1 for k in kinds])


def uncovered_firm(row: Any) -> UncoveredFirm:
    """An uncovered-list row (of ``member_rows``) as the firm with its gaps."""
    values = row._mapping
    return UncoveredFirm(
        credit_code=values["credit_code"], name=values["name"], town=values["town"],
        industry=values["industry"], advisor=values["username"],
        advisor_name=values["display_name"],
        gaps=tuple(k for k in KINDS if values[f"g_{k}"]))


def summary_and_list(members: CTE, group_by: list[Any], listed: Select[Any]) -> Select[Any]:
    """One statement over ``members`` (evaluated once): a ``sum`` row per ``group_by`` group
    (member count ``n``; per kind members, covered, listed gaps; ``g_any`` firms with any
    listed gap) and a ``row`` per firm of ``listed`` (``listed_rows``, maybe a LIMIT of it),
    in the list's order (``pos``)."""
    text_nulls = ("credit_code", "name", "industry")
    keys = ("town", "username", "display_name")
    grouped = {k: members.c[k] for k in keys if any(members.c[k] is g for g in group_by)}
    sums = select(
        literal("sum").label("part"),
        *[grouped.get(k, null()).label(k) for k in keys],
        *[null().label(k) for k in text_nulls],
        func.count().label("n"),
        *[func.sum(members.c[f"{p}_{k}"]).label(f"{p}_{k}") for p in "mcg" for k in KINDS],
        func.sum(case((gap_filter(members), 1), else_=0)).label("g_any"),
        literal(0).label("pos"),
    ).group_by(*group_by)
    rows = listed.subquery("listed")
    firms = select(
        literal("row").label("part"), *[rows.c[k] for k in keys],
        *[rows.c[k] for k in text_nulls], literal(0).label("n"),
        *[literal(0).label(f"{p}_{k}") for p in "mc" for k in KINDS],
        *[rows.c[f"g_{k}"] for k in KINDS], literal(0).label("g_any"), rows.c.pos,
    )
    return union_all(sums, firms).order_by(literal_column("pos"))  # type: ignore[return-value]


def listed_rows(members: CTE, kind: str = "") -> Select[Any]:
    """The uncovered list of ``kind`` ("" = every kind) by town, name and credit code, each
    row with its place (``pos``, from 1)."""
    order = (members.c.town, members.c.name, members.c.credit_code)
    return (select(*[members.c[k] for k in ("town", "username", "display_name", "credit_code",
                                            "name", "industry")],
                   *[members.c[f"g_{k}"] for k in KINDS],
                   func.row_number().over(order_by=order).label("pos"))
            .where(gap_filter(members, kind))
            .order_by(*order))
