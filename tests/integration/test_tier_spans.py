"""Maintained tier spans: equal to the pure tier history on random histories, kept current by
every kind of certificate write, rebuilt and checked by ``cultivation tiers rebuild``."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reports_support import count_statements, qualify
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cultivation.admin.services import restore_enterprise
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.services import delete_enterprise, update_enterprise
from cultivation.qualifications import services as registry
from cultivation.qualifications.models import OPEN_END, Qualification, TierSpan
from cultivation.qualifications.spans import check_spans, refresh_spans
from cultivation.qualifications.tiers import TIER_RANK, effective_end, tier_history

KINDS = ["startup", "zj_tech_sme", "tech_sme", "hnte", "leading"]
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _random_history(rng: random.Random, session: Session, firm: Enterprise) -> None:
    for _ in range(rng.randint(0, 6)):
        start = date(2017, 1, 1) + timedelta(days=rng.randint(0, 3000))
        end = None if rng.random() < 0.2 else start + timedelta(days=rng.randint(0, 1500))
        extra: dict[str, Any] = {}
        if rng.random() < 0.25:
            extra = {"status": "revoked",
                     "revoked_on": None if rng.random() < 0.1
                     else start + timedelta(days=rng.randint(-30, 1200))}
        qualify(session, firm, rng.choice(KINDS), start, end, **extra)


def _stored(session: Session, firm: Enterprise) -> list[tuple[str, date, date | None, int, str]]:
    rows = session.execute(
        select(TierSpan.tier, TierSpan.valid_from, TierSpan.valid_to, TierSpan.prev_rank,
               TierSpan.entered_by)
        .where(TierSpan.enterprise_id == firm.id).order_by(TierSpan.valid_from))
    return [(t, f, None if to == OPEN_END else to, p, e) for t, f, to, p, e in rows]


def _expected(firm: Enterprise) -> list[tuple[str, date, date | None, int, str]]:
    """The pure history, with the previous rank and how each change came about."""
    out = []
    prev = 0
    for interval in tier_history(firm.qualifications):
        rank = TIER_RANK[interval.tier]
        if rank > prev:
            why = "up"
        else:
            revoked = any(
                q.status == "revoked"
                and TIER_RANK.get({"zj_tech_sme": "tech_sme"}.get(q.kind, q.kind), 0) == prev
                and (effective_end(q) or date.max) + timedelta(days=1) == interval.start
                and (q.revoked_on or q.valid_from) == interval.start
                for q in firm.qualifications)
            why = "revoked" if revoked else "lapsed"
        out.append((interval.tier, interval.start, interval.end, prev, why))
        prev = rank
    return out


def test_spans_equal_the_pure_tier_history_on_random_histories(
    db_session: Session, make_enterprise: Any
) -> None:
    rng = random.Random(20261206)
    firms = [make_enterprise() for _ in range(80)]
    for firm in firms:
        _random_history(rng, db_session, firm)
    db_session.expire_all()
    for firm in firms:
        assert _stored(db_session, firm) == _expected(firm), firm.id
    # ... and a full rebuild gives the same rows
    refresh_spans(db_session, None)
    db_session.expire_all()
    for firm in firms:
        assert _stored(db_session, firm) == _expected(firm), firm.id
    assert check_spans(db_session).differing == 0


def _carried(session: Session, firm: Enterprise) -> set[tuple[date | None, datetime | None]]:
    """The (registration date, deletion time) pairs the firm's spans carry."""
    rows = session.execute(select(TierSpan.firm_registered_on, TierSpan.firm_deleted_at)
                           .where(TierSpan.enterprise_id == firm.id))
    return {(registered, deleted) for registered, deleted in rows}


def test_spans_carry_the_firms_registration_and_deletion_through_random_changes(
    db_session: Session, make_enterprise: Any
) -> None:
    rng = random.Random(612)
    firms = [make_enterprise(registered_on=None) for _ in range(60)]
    for firm in firms:
        _random_history(rng, db_session, firm)
    for _ in range(3):  # registration moved / cleared, firms deleted and restored, in turns
        for firm in rng.sample(firms, 25):
            if rng.random() < 0.5:
                firm.registered_on = (None if rng.random() < 0.2 else
                                      date(2012, 1, 1) + timedelta(days=rng.randint(0, 5000)))
            else:
                firm.deleted_at = (None if firm.deleted_at is not None
                                   else NOW + timedelta(days=rng.randint(0, 30)))
        db_session.flush()
    db_session.expire_all()
    assert any(f.deleted_at for f in firms)
    assert any(f.registered_on for f in firms)
    for firm in firms:
        assert _stored(db_session, firm) == _expected(firm), firm.id
        if firm.qualifications:
            assert _carried(db_session, firm) == {(firm.registered_on, firm.deleted_at)}
    assert check_spans(db_session).differing == 0


def test_deleting_restoring_and_re_registering_a_firm_update_its_spans(
    db_session: Session, make_enterprise: Any, make_user: Any
) -> None:
    admin = make_user(role="admin")
    firm = make_enterprise(tier="hnte", registered_on=date(2015, 3, 1))
    assert _carried(db_session, firm) == {(date(2015, 3, 1), None)}
    delete_enterprise(db_session, firm, actor=admin, now=NOW)
    assert _carried(db_session, firm) == {(date(2015, 3, 1), NOW)}
    restore_enterprise(db_session, firm, actor=admin, now=NOW)
    assert _carried(db_session, firm) == {(date(2015, 3, 1), None)}
    update_enterprise(db_session, firm, {"registered_on": date(2019, 7, 1)}, actor=admin,
                      now=NOW, today=NOW.date())
    assert _carried(db_session, firm) == {(date(2019, 7, 1), None)}
    with count_statements() as log:  # other fields leave the spans alone
        update_enterprise(db_session, firm, {"name": "改名科技有限公司"}, actor=admin,
                          now=NOW, today=NOW.date())
    assert not any("tier_spans" in statement for statement in log.statements)


def test_the_check_finds_spans_whose_firm_dates_went_stale(
    db_session: Session, make_enterprise: Any
) -> None:
    firm = make_enterprise(tier="startup", registered_on=date(2018, 1, 1))
    db_session.execute(update(Enterprise.__table__).where(Enterprise.__table__.c.id == firm.id)
                       .values(registered_on=date(2020, 1, 1)))  # Core: bypasses the hook
    assert check_spans(db_session).examples == (firm.id,)
    refresh_spans(db_session, [firm.id])
    assert check_spans(db_session).differing == 0
    assert _carried(db_session, firm) == {(date(2020, 1, 1), None)}


def test_service_writes_update_spans_in_the_same_transaction(
    db_session: Session, make_enterprise: Any, make_user: Any
) -> None:
    admin = make_user(role="admin")
    firm = make_enterprise()
    qual = registry.add_qualification(
        db_session, firm, {"kind": "hnte", "valid_from": date(2021, 12, 1),
                           "valid_to": date(2024, 11, 30)}, actor=admin, now=NOW)
    assert _stored(db_session, firm) == [
        ("hnte", date(2021, 12, 1), date(2024, 11, 30), 0, "up"),
        ("none", date(2024, 12, 1), None, 3, "lapsed"),
    ]
    registry.update_qualification(db_session, qual, {"status": "revoked",
                                                     "revoked_on": date(2023, 5, 10)},
                                  actor=admin, now=NOW)
    assert _stored(db_session, firm) == [
        ("hnte", date(2021, 12, 1), date(2023, 5, 9), 0, "up"),
        ("none", date(2023, 5, 10), None, 3, "revoked"),
    ]
    db_session.delete(qual)
    db_session.flush()
    assert _stored(db_session, firm) == []


def test_moving_a_certificate_to_another_firm_updates_both(
    db_session: Session, make_enterprise: Any
) -> None:
    one, two = make_enterprise(), make_enterprise()
    qual = qualify(db_session, one, "zj_tech_sme", date(2022, 1, 1), None)
    qual.enterprise_id = two.id
    db_session.flush()
    assert _stored(db_session, one) == []
    assert _stored(db_session, two) == [("tech_sme", date(2022, 1, 1), None, 0, "up")]


def test_core_bulk_writes_are_refreshed_explicitly_and_the_check_finds_stale_spans(
    db_session: Session, make_enterprise: Any
) -> None:
    firms = [make_enterprise() for _ in range(3)]
    db_session.execute(insert(Qualification.__table__), [
        {"enterprise_id": f.id, "kind": "startup", "valid_from": date(2023, 1, 1),
         "valid_to": date(2023, 12, 31), "status": "valid"} for f in firms])
    result = check_spans(db_session)
    assert result.differing == 3
    assert set(result.examples) == {f.id for f in firms}
    refresh_spans(db_session, [f.id for f in firms])
    assert check_spans(db_session).differing == 0
    assert _stored(db_session, firms[0]) == [
        ("startup", date(2023, 1, 1), date(2023, 12, 31), 0, "up"),
        ("none", date(2024, 1, 1), None, 1, "lapsed"),
    ]


def test_refreshing_a_set_of_firms_costs_the_same_statements_for_2_and_40(
    db_session: Session, make_enterprise: Any
) -> None:
    counts = []
    for n in (2, 40):
        firms = [make_enterprise() for _ in range(n)]
        for f in firms:
            qualify(db_session, f, "hnte", date(2022, 1, 1), date(2024, 12, 31))
        with count_statements() as log:
            refresh_spans(db_session, [f.id for f in firms])
        counts.append(log.count)
    assert counts[0] == counts[1] == 2


def test_tiers_rebuild_cli_checks_and_repairs(
    db_session: Session, make_enterprise: Any, runner: Any
) -> None:
    firm = make_enterprise(tier="hnte")
    ok = runner.invoke(args=["tiers", "rebuild", "--check"])
    assert ok.exit_code == 0, ok.output
    assert "一致" in ok.output
    db_session.execute(update(TierSpan).where(TierSpan.enterprise_id == firm.id)
                       .values(tier="startup", rank=1))
    bad = runner.invoke(args=["tiers", "rebuild", "--check"])
    assert bad.exit_code == 1
    assert firm.credit_code in bad.output
    assert "不一致" in bad.output
    fixed = runner.invoke(args=["tiers", "rebuild"])
    assert fixed.exit_code == 0, fixed.output
    assert "已重建" in fixed.output
    assert runner.invoke(args=["tiers", "rebuild", "--check"]).exit_code == 0
    assert _stored(db_session, firm) == [("hnte", date(2020, 1, 1), date(2099, 12, 31), 0, "up"),
                                         ("none", date(2100, 1, 1), None, 3, "lapsed")]
