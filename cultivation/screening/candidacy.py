"""Which programmes a set of firms are candidates for, from the latest finished screening run:
the 梯次看板's cards say "高企 重新认定", "省科小 首次申报". The same definition of a candidate as
the 培育库 (``queries.is_candidate``) and the same first / renewal standing
(``queries.application_of``); one query for all the cards on a page.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from cultivation.database import DbSession
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import SCREENED_RULES, application_of, is_candidate
from cultivation.screening.runs import in_run
from cultivation.vocabulary import APPLICATION_LABELS, OUTCOME_LABELS, RULES_SHORT_LABELS


@dataclass(frozen=True)
class Candidacy:
    """One programme a firm may apply for, as its latest screening run says."""

    rules: str
    application: str  # first | renewal
    outcome: str  # eligible | borderline
    certificate_valid_to: date | None  # a renewal: when the certificate ends
    as_of: date  # the run's date

    @property
    def label(self) -> str:
        """"高企 重新认定"."""
        return f"{RULES_SHORT_LABELS.get(self.rules, self.rules)} " \
               f"{APPLICATION_LABELS.get(self.application, self.application)}"

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


def candidacies(session: DbSession, firm_ids: Collection[int]) -> dict[int, list[Candidacy]]:
    """{firm id: its candidacies, in rule-set order} from the latest finished run (one query);
    firms that are candidates for nothing are left out."""
    if not firm_ids:
        return {}
    latest = (select(ScreeningRun.id).where(ScreeningRun.finished_at.is_not(None))
              .order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc()).limit(1)
              .scalar_subquery())
    # The run's day, not the row's: a carried verdict's row was stored by an earlier run of
    # the chain (screening.runs).
    rows = session.execute(
        select(Evaluation.enterprise_id, Evaluation.rules, application_of(Evaluation),
               Evaluation.outcome, Evaluation.certificate_valid_to, ScreeningRun.as_of)
        .join(ScreeningRun, ScreeningRun.id == latest)
        .where(in_run(Evaluation, latest), Evaluation.enterprise_id.in_(list(firm_ids)),
               Evaluation.rules.in_(SCREENED_RULES), is_candidate(Evaluation)))
    found: dict[int, list[Candidacy]] = {}
    for firm_id, rules, application, outcome, valid_to, as_of in rows:
        found.setdefault(firm_id, []).append(
            Candidacy(rules, application, outcome, valid_to, as_of))
    order = {r: i for i, r in enumerate(SCREENED_RULES)}
    return {k: sorted(v, key=lambda c: order[c.rules]) for k, v in found.items()}
