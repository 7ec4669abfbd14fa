"""Load the demo data set into the database: bulk inserts, flush only (the caller commits)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from cultivation.accounts.models import User
from cultivation.audit import services as audit
from cultivation.audit.models import AuditLog
from cultivation.dashboard.invalidation import invalidate as invalidate_figures
from cultivation.database import DbSession
from cultivation.demo.bulk import write_rows
from cultivation.demo.generator import MAX_FIRMS, DemoPlan, build_plan
from cultivation.demo.ladder import Row
from cultivation.demo.people import DEMO_PASSWORD, DemoLogin, demo_users
from cultivation.enterprises.models import Enterprise, EnterpriseFlag, FiscalYearFigures
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.spans import refresh_spans
from cultivation.regions import Region, load_region
from cultivation.visits.models import Visit

log = logging.getLogger(__name__)

DEFAULT_FIRMS = 800
DEFAULT_SEED = 2026
# The 2020 → 2025 calibration needs the whole of 2025; the forward play is kept within a decade.
EARLIEST_AS_OF = date(2026, 1, 1)
LATEST_AS_OF = date(2035, 12, 31)
MARKER = ("demo", "load")  # the AuditLog (entity_type, action) written once per demo load

DemoSeeder = Callable[[DbSession, date], None]
# Other concepts' demo seeders (application windows, policy parameters, report targets …),
# run in order after the core demo data, in the same transaction, on a fresh load only.
def _seed_parameters(session: DbSession, today: date) -> None:
    from cultivation.parameters.services import seed_parameters

    seed_parameters(session, today)


def _seed_windows(session: DbSession, today: date) -> None:
    from cultivation.windows.services import seed_windows

    seed_windows(session, today)


def _seed_plans(session: DbSession, today: date) -> None:
    from cultivation.targets.services import seed_plans

    seed_plans(session)


def _first_screening(session: DbSession, today: date) -> None:
    from cultivation.screening.services import screen_demo

    screen_demo(session, today)


def _first_coverage_snapshot(session: DbSession, today: date) -> None:
    from datetime import UTC, datetime, time

    from cultivation.reports.snapshots import take_coverage_snapshot

    take_coverage_snapshot(session, datetime.combine(today, time(4), tzinfo=UTC))


DEMO_SEEDERS: list[DemoSeeder] = [
    _seed_parameters, _seed_windows, _seed_plans, _first_screening, _first_coverage_snapshot,
]


class DemoError(ValueError):
    """A user-facing (Chinese) reason the demo data cannot be loaded."""


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo`` did; ``skipped`` carries the Chinese reason when it did nothing."""

    skipped: str | None = None
    firms: int = 0
    figures: int = 0
    qualifications: int = 0
    institutions: int = 0
    users: int = 0
    assignments: int = 0
    visits: int = 0
    logins: tuple[DemoLogin, ...] = field(default_factory=tuple)


def default_logins() -> tuple[DemoLogin, ...]:
    """The demo accounts with their initial password (what ``demo load`` prints)."""
    return tuple(DemoLogin(u["username"], u["display_name"], u["role"], DEMO_PASSWORD)
                 for u in demo_users())


def demo_loaded(session: DbSession) -> bool:
    """Whether the demo marker is in the audit log."""
    return session.scalar(
        select(AuditLog.id).where(AuditLog.entity_type == MARKER[0],
                                  AuditLog.action == MARKER[1]).limit(1)
    ) is not None


def load_demo(session: DbSession, *, firms: int = DEFAULT_FIRMS, seed: int = DEFAULT_SEED,
              today: date, region: Region | None = None,
              seeders: list[DemoSeeder] | None = None) -> DemoSummary:
    """Insert ``firms`` demo firms with figures, qualifications, institutions, users,
    portfolios and visits — unless demo data (or any firm) is already there. Flushes only."""
    if not 1 <= firms <= MAX_FIRMS:
        raise DemoError(f"企业数量必须在 1 到 {MAX_FIRMS} 之间")
    if demo_loaded(session):
        return DemoSummary(skipped="演示数据已存在，未重复装入", logins=default_logins())
    existing = session.scalar(select(func.count()).select_from(Enterprise)) or 0
    if existing:
        return DemoSummary(skipped=f"数据库中已有 {existing} 家企业，未装入演示数据")
    plan = build_plan(firms, seed, region or load_region(), today)
    users, logins = _users(session)
    ids = _insert_firms(session, plan)
    counts = _insert_children(session, plan, ids, users)
    if ids:  # Core inserts bypass the ORM hook that keeps tier spans current
        refresh_spans(session, (min(ids), max(ids)))
        invalidate_figures(session)  # and the cached dashboard figures
    audit.record(session, actor="demo", entity_type=MARKER[0], entity_id=None, action=MARKER[1],
                 after={"firms": firms, "seed": seed, "today": today.isoformat(), **counts})
    session.flush()
    for seeder in DEMO_SEEDERS if seeders is None else seeders:
        seeder(session, today)
    session.flush()
    log.info("demo data loaded: %s firms, seed %s", firms, seed)
    return DemoSummary(
        firms=len(ids), figures=counts["figures"], qualifications=counts["qualifications"],
        institutions=counts["institutions"], users=sum(1 for x in logins if x.password),
        assignments=counts["assignments"], visits=counts["visits"], logins=logins,
    )


def _users(session: DbSession) -> tuple[dict[str, int], tuple[DemoLogin, ...]]:
    """Create the demo accounts that do not exist yet (one shared hash: one slow hashing)."""
    wanted = demo_users()
    usernames = [w["username"] for w in wanted]
    existing = {u.username: u
                for u in session.scalars(select(User).where(User.username.in_(usernames)))}
    for w in wanted:
        user = existing.get(w["username"])
        if user is not None and user.role != w["role"]:
            raise DemoError(
                f"用户“{user.username}”已存在且角色为{user.role_label}，无法作为演示账号")
    password_hash = generate_password_hash(DEMO_PASSWORD)
    new = [User(password_hash=password_hash, **w) for w in wanted if w["username"] not in existing]
    session.add_all(new)
    session.flush()
    by_name = {**existing, **{u.username: u for u in new}}
    logins = tuple(
        DemoLogin(w["username"], w["display_name"], w["role"],
                  None if w["username"] in existing else DEMO_PASSWORD)
        for w in wanted
    )
    return {name: u.id for name, u in by_name.items()}, logins


# Rows go straight to the driver in batches (demo.bulk: COPY / executemany), generated lazily
# from the plan, and each plan list is dropped once written: memory stays near the plan's own.
# Ids are read back by credit code rather than with RETURNING, which SQLite can only keep in
# parameter order one row at a time.
def _insert_firms(session: DbSession, plan: DemoPlan) -> list[int]:
    """The firms in batches, then one SELECT of the new ids; ids in plan order."""
    write_rows(session, Enterprise.__table__, plan.enterprise_rows())
    found = session.execute(select(Enterprise.credit_code, Enterprise.id))
    ids = {code: id_ for code, id_ in found}
    return [ids[f.credit_code] for f in plan.firms]


def _with_ids(rows: list[Row], ids: list[int]) -> Iterator[Row]:
    for r in rows:
        yield {"enterprise_id": ids[int(str(r["firm"]))],
               **{k: v for k, v in r.items() if k != "firm"}}


def _insert_children(session: DbSession, plan: DemoPlan, ids: list[int],
                     users: dict[str, int]) -> dict[str, int]:
    assignments = ({"enterprise_id": ids[a.firm], "advisor_id": users[a.advisor],
                    "started_on": a.started_on, "ended_on": a.ended_on}
                   for a in plan.assignments)
    visits = ({**{k: v for k, v in r.items() if k != "advisor"},
               "advisor_id": users[str(r["advisor"])]} for r in _with_ids(plan.visits, ids))
    counts = {"figures": write_rows(session, FiscalYearFigures.__table__,
                                    _with_ids(plan.figures, ids))}
    plan.figures = []  # the largest part of the plan: free it before the next table
    counts["qualifications"] = write_rows(session, Qualification.__table__,
                                          _with_ids(plan.qualifications, ids))
    counts["institutions"] = write_rows(session, RDInstitution.__table__,
                                        _with_ids(plan.institutions, ids))
    counts["assignments"] = write_rows(session, PortfolioAssignment.__table__, assignments)
    counts["visits"] = write_rows(session, Visit.__table__, visits)
    plan.visits = []
    counts["flags"] = write_rows(session, EnterpriseFlag.__table__, _with_ids(plan.flags, ids))
    return counts
