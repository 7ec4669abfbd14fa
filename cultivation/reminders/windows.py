"""The ``window-reminders`` job: N days before a window opens or closes, one digest per advisor
listing that advisor's firms that are eligible or borderline for the window's programme.

Candidates come from the latest screening run (as of today) in one set-based query. The message
key is ``window-reminder:<window>:<open|close>:<date>:<offset>:<advisor>``: re-runs, a second
scheduler or a catch-up send nothing twice; moving a window's date makes new reminders.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from cultivation.accounts.models import User
from cultivation.clock import local_date
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.mail.services import enqueue
from cultivation.parameters.services import readable_table
from cultivation.policy import ParameterTable
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import current_assignment_join
from cultivation.reminders.due import due_offset, in_days_text
from cultivation.screening.models import Evaluation
from cultivation.screening.queries import (
    APPLICATION_LABELS,
    OUTCOME_LABELS,
    application_of,
    is_candidate,
    latest_run_id,
)
from cultivation.screening.runs import in_run
from cultivation.settings import ReminderSettings
from cultivation.todos.records import link_mails, suppressed, todo_key
from cultivation.web.filters import cn_date
from cultivation.windows.models import PROGRAMME_CLOSED_BY, PROGRAMME_RULES, ApplicationWindow
from cultivation.windows.schema import MAX_OFFSET

JOB = "window-reminders"
EDGE_LABELS = {"open": "开始", "close": "截止"}


@dataclass(frozen=True)
class DueReminder:
    window: ApplicationWindow
    edge: str  # open | close
    day: date  # the window's opening or closing date
    offset: int

    @property
    def key_prefix(self) -> str:
        return f"window-reminder:{self.window.id}:{self.edge}:{self.day.isoformat()}:{self.offset}"


@dataclass
class Candidate:
    enterprise_id: int
    name: str
    credit_code: str
    outcome: str
    url: str
    gaps: list[str] = field(default_factory=list)
    score: str | None = None
    application: str = "first"  # first | renewal (screening.applications)
    certificate_valid_to: date | None = None

    @property
    def application_label(self) -> str:
        return APPLICATION_LABELS.get(self.application, self.application)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


def due_reminders(windows: list[ApplicationWindow], today: date, catchup_days: int
                  ) -> list[DueReminder]:
    """Which (window, open/close, offset) reminders are due today (pure)."""
    due = []
    for window in windows:
        offsets = window.remind_days or []
        opening = due_offset(window.opens_on, offsets, today, catchup_days)
        if opening is not None:
            due.append(DueReminder(window, "open", window.opens_on, opening))
        # A closing reminder that would fall before the window opens is covered by the opening one.
        closing = due_offset(window.closes_on, offsets, today, catchup_days,
                             not_before=window.opens_on)
        if closing is not None:
            due.append(DueReminder(window, "close", window.closes_on, closing))
    return due


def gaps_from_verdict(details: dict[str, Any] | None) -> tuple[list[str], str | None]:
    """Readable gaps (criteria not passed) and the score range from a stored verdict JSON."""
    details = details or {}
    gaps = []
    for criterion in details.get("criteria") or []:
        if criterion.get("passed") is True or criterion.get("soft"):
            continue
        label = criterion.get("label") or criterion.get("id") or "指标"
        gap = criterion.get("gap")
        if criterion.get("passed") is None:
            gaps.append(f"{label}：缺少数据" + (f"（{gap}）" if gap else ""))
        else:
            gaps.append(f"{label}：{gap or '未达标'}")
    score = details.get("score") or {}
    marks = {c.get("id"): c.get("required") for c in details.get("criteria") or []}
    text = None
    if score.get("min") is not None and score.get("max") is not None:
        need = _need(marks.get("innovation_score"))
        text = f"创新能力评价预计 {score['min']}–{score['max']} 分{need}"
    elif score.get("total") is not None:
        text = f"评价得分 {score['total']} 分{_need(marks.get('score_total'))}"
    return gaps, text


def _need(mark: object) -> str:
    """"（需≥71分）" or "（需>70分）" from the criterion's required value (the dated mark)."""
    if isinstance(mark, str):
        return f"（需{mark.replace(' ', '')}分）"
    if isinstance(mark, int | float) and not isinstance(mark, bool):
        return f"（需≥{mark:g}分）"
    return ""


def closed_programmes(table: ParameterTable, today: date) -> set[str]:
    """Programmes no longer run on ``today`` (their closing parameter is in force): their
    windows send no reminder, e.g. 省高新研发中心 from 浙经信高新〔2025〕169号."""
    return {
        programme
        for programme, key in PROGRAMME_CLOSED_BY.items()
        if any(value.covers(today) and value.value for value in table.history(key))
    }


def candidates_by_advisor(session: DbSession, rules: set[str], today: date, *,
                          base_url: str = "") -> dict[str, dict[int, list[Candidate]]]:
    """{rules: {advisor id: [candidates]}} from the latest screening run on or before ``today``:
    eligible and borderline firms in each advisor's current portfolio — one query. Firm links
    start with ``base_url`` (BASE_URL for mail; relative when not given)."""
    if not rules:
        return {}
    latest_run = latest_run_id(today)
    stmt = (
        select(Evaluation.rules, Evaluation.outcome, Evaluation.details, Enterprise.id,
               Enterprise.name, Enterprise.credit_code, PortfolioAssignment.advisor_id,
               application_of(Evaluation), Evaluation.certificate_valid_to)
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
        .join(PortfolioAssignment, current_assignment_join())
        .where(in_run(Evaluation, latest_run), Evaluation.rules.in_(sorted(rules)),
               is_candidate(Evaluation), Enterprise.deleted_at.is_(None))
        .order_by(PortfolioAssignment.advisor_id, Evaluation.rules,
                  application_of(Evaluation),
                  case((Evaluation.outcome == "eligible", 0), else_=1),
                  Evaluation.total_gap, Enterprise.name)
    )
    found: dict[str, dict[int, list[Candidate]]] = defaultdict(lambda: defaultdict(list))
    root = base_url
    for (rule, outcome, details, firm_id, name, code, advisor_id, application,
         valid_to) in session.execute(stmt):
        gaps, score = gaps_from_verdict(details)
        found[rule][advisor_id].append(Candidate(
            firm_id, name, code, outcome, f"{root}/enterprises/{code}", gaps, score,
            application, valid_to))
    return found


def candidate_counts(session: DbSession, advisor_id: int, today: date) -> dict[str, int]:
    """{rules: eligible + borderline firms of this advisor} in the latest run — one GROUP BY."""
    latest_run = latest_run_id(today)
    rows = session.execute(
        select(Evaluation.rules, func.count(Evaluation.id))
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
        .join(PortfolioAssignment, current_assignment_join())
        .where(in_run(Evaluation, latest_run), is_candidate(Evaluation),
               PortfolioAssignment.advisor_id == advisor_id, Enterprise.deleted_at.is_(None))
        .group_by(Evaluation.rules)
    )
    return {rules: n for rules, n in rows}


def send_window_reminders(session: DbSession, now: datetime, settings: ReminderSettings
                          ) -> dict[str, int]:
    """Queue today's window digests (job body; flushes, the job runner commits)."""
    today = local_date(now, settings.timezone)
    catchup = settings.catchup_days
    # No reminder falls more than MAX_OFFSET days before its window opens.
    windows = list(session.scalars(
        select(ApplicationWindow).where(
            ApplicationWindow.closes_on >= today,
            ApplicationWindow.opens_on <= today + timedelta(days=MAX_OFFSET))
    ))
    due = due_reminders(windows, today, catchup)
    if any(d.window.programme in PROGRAMME_CLOSED_BY for d in due):  # read only when it matters
        closed = closed_programmes(
            readable_table(session, parameter_dir=settings.parameter_dir), today)
        due = [d for d in due if d.window.programme not in closed]
    counts: Counter[str] = Counter(reminders_due=len(due))
    wanted = {PROGRAMME_RULES[d.window.programme] for d in due
              if d.window.programme in PROGRAMME_RULES}
    candidates = candidates_by_advisor(session, wanted, today, base_url=settings.base_url)
    advisor_ids = {a for per_rule in candidates.values() for a in per_rule}
    advisors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(advisor_ids)))}

    def item(reminder: DueReminder, advisor_id: int) -> str:
        w = reminder.window
        return todo_key(f"window:{w.id}:{reminder.edge}:{reminder.day.isoformat()}", advisor_id)

    quiet = suppressed(session, [
        item(r, a) for r in due
        for a in candidates.get(PROGRAMME_RULES.get(r.window.programme, ""), {})], today)
    links: list[tuple[str, int]] = []
    for reminder in due:
        rules = PROGRAMME_RULES.get(reminder.window.programme)
        if rules is None:
            counts["no_screening_rules"] += 1
            continue
        for advisor_id, firms in candidates.get(rules, {}).items():
            if item(reminder, advisor_id) in quiet:
                counts["settled_in_todos"] += 1
                continue
            result = enqueue(
                session,
                dedup_key=f"{reminder.key_prefix}:{advisor_id}",
                recipient=advisors[advisor_id],
                subject=_subject(reminder, today, len(firms)),
                template="window_reminder",
                context={"reminder": reminder, "window": reminder.window,
                         "edge_label": EDGE_LABELS[reminder.edge],
                         "when": in_days_text((reminder.day - today).days),
                         "days_left": (reminder.day - today).days, "firms": firms,
                         "windows_url": f"{settings.base_url}/windows"},
                job=JOB, now=now, settings=settings.compose,
            )
            counts[result.outcome] += 1
            if result.message_id is not None:
                links.append((item(reminder, advisor_id), result.message_id))
    link_mails(session, links)
    return dict(counts)


def _subject(reminder: DueReminder, today: date, firms: int) -> str:
    # No spaces between Chinese words: mail clients drop them between encoded header words.
    window = reminder.window
    batch = f"{window.year}年{window.batch}"
    when = in_days_text((reminder.day - today).days)
    return (f"【申报提醒】{window.programme_label}（{batch}）{when}{EDGE_LABELS[reminder.edge]}"
            f"（{cn_date(reminder.day)}）——您联系的{firms}家企业可申报")
