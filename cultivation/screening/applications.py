"""First application or renewal: which certificate holders are candidates at all.

A firm holding a certificate of a programme (高企, 科小 入库, 省科小) is not a candidate of that
programme while the certificate runs beyond the *renewal horizon*; when it ends before the
horizon the firm is listed as a renewal (重新认定 / 重新评价); a firm holding none applies for
the first time. The horizon on a date is the later of ``<prefix>.renewal_lead_months`` after it
(a dated policy parameter) and the close of the programme's next window in the 申报日历.

Set-based: one query for the certificates of a batch of firms, one for the windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from cultivation.database import DbSession, id_in
from cultivation.policy import ParameterError
from cultivation.policy.parameters import ParameterTable
from cultivation.qualifications.models import Qualification
from cultivation.qualifications.queries import in_force_on
from cultivation.windows.models import ApplicationWindow

# Screening rule set → (qualification kind that holds it, parameter prefix, window programme).
PROGRAMMES = {
    "hnte": ("hnte", "hnte", "hnte"),
    "tech-sme": ("tech_sme", "tech_sme", "tech_sme"),
    "zj-tech-sme": ("zj_tech_sme", "zj_tech_sme", "zj_tech_sme"),
}
APPLICATIONS = {"first": "首次申报", "renewal": "重新认定"}
HOLDER = "holder"
OPEN_ENDED = date(2999, 12, 31)  # a certificate without an end date


@dataclass(frozen=True)
class Standing:
    """Where one firm stands for one programme on the as-of date."""

    application: str  # first | renewal | holder
    certificate_valid_to: date | None


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def renewal_horizons(session: DbSession, params: ParameterTable, as_of: date,
                     rules: Iterable[str]) -> dict[str, date]:
    """{rule set: horizon} on ``as_of`` (see the module docstring)."""
    wanted = [r for r in rules if r in PROGRAMMES]
    programmes = [PROGRAMMES[r][2] for r in wanted]
    closes = dict(session.execute(
        select(ApplicationWindow.programme, func.min(ApplicationWindow.closes_on))
        .where(ApplicationWindow.programme.in_(programmes), ApplicationWindow.closes_on >= as_of)
        .group_by(ApplicationWindow.programme)).all()) if programmes else {}
    horizons: dict[str, date] = {}
    for name in wanted:
        _, prefix, programme = PROGRAMMES[name]
        try:
            months = int(params.value(f"{prefix}.renewal_lead_months", as_of))  # type: ignore[arg-type]
        except ParameterError:
            months = 0
        horizon = add_months(as_of, months)
        window_close = closes.get(programme)
        horizons[name] = max(horizon, window_close) if window_close else horizon
    return horizons


def certificates_held(session: DbSession, firm_ids: Sequence[int], as_of: date
                      ) -> dict[tuple[int, str], date]:
    """{(firm id, qualification kind): last day of its latest certificate in force on ``as_of``}
    for the programme kinds (OPEN_ENDED for a certificate without an end date)."""
    if not firm_ids:
        return {}
    kinds = sorted({kind for kind, _, _ in PROGRAMMES.values()})
    stmt = (
        select(Qualification.enterprise_id, Qualification.kind,
               func.max(func.coalesce(Qualification.valid_to, OPEN_ENDED)))
        .where(id_in(session, Qualification.enterprise_id, firm_ids),
               Qualification.kind.in_(kinds),
               in_force_on(as_of))
        .group_by(Qualification.enterprise_id, Qualification.kind)
    )
    return {(firm, kind): end for firm, kind, end in session.execute(stmt)}


def standing(held_to: date | None, horizon: date) -> Standing:
    """first / renewal / holder for a certificate ending ``held_to`` (None: none held)."""
    if held_to is None:
        return Standing("first", None)
    shown = None if held_to == OPEN_ENDED else held_to
    if held_to <= horizon:
        return Standing("renewal", shown)
    return Standing(HOLDER, shown)
