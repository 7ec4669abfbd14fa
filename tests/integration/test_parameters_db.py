"""Policy parameters stored in the database: lazy idempotent seeding, dated changes by admins
(closing the open period, audited), strict validation, and verdicts that follow the date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from screening_support import STRONG_FIELDS, strong_years
from sqlalchemy import func, select

from cultivation.audit.models import AuditLog
from cultivation.parameters.models import PolicyParameter
from cultivation.parameters.services import (
    ParameterInputError,
    add_parameter_value,
    parameter_table,
    seed_parameters,
    value_from_text,
)
from cultivation.policy import PARAMETER_CATALOGUE, default_parameters, evaluate
from cultivation.screening.facts import facts_for_enterprise
from cultivation.screening.models import Evaluation
from cultivation.screening.services import run_screening

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
KEY = "hnte.tech_staff_ratio_min"


def stored(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(PolicyParameter)) or 0


def history(session, key: str = KEY) -> list[PolicyParameter]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(PolicyParameter).where(PolicyParameter.key == key)
                                .order_by(PolicyParameter.valid_from)))


def add(session, actor, **overrides):  # type: ignore[no-untyped-def]
    values = {"key": KEY, "value": 0.12, "valid_from": date(2027, 1, 1),
              "source": "国科发火〔2026〕1号 测试通知", "note": "测试", "confirmed": False,
              "actor": actor, "now": NOW}
    values.update(overrides)
    return add_parameter_value(session, **values)


def test_the_table_seeds_itself_once_from_the_yaml(db_session):
    assert stored(db_session) == 0
    table = parameter_table(db_session)
    seeds = default_parameters().all_values()
    assert stored(db_session) == len(seeds)
    assert table.keys() == default_parameters().keys()
    assert seed_parameters(db_session) == 0  # idempotent
    parameter_table(db_session)
    assert stored(db_session) == len(seeds)


def test_seeding_accepts_the_demo_hooks_today_argument(db_session):
    assert seed_parameters(db_session, date(2026, 6, 30)) == len(default_parameters().all_values())


def test_the_stored_table_gives_the_seed_values_with_sources(db_session):
    table = parameter_table(db_session)
    value = table.lookup("hnte.rd_expense_ratio_bands", date(2026, 6, 30))
    assert value == default_parameters().lookup("hnte.rd_expense_ratio_bands", date(2026, 6, 30))
    assert value.source.startswith("国科发火〔2016〕32号")
    growth = table.lookup("hnte.score.growth_bands", date(2026, 6, 30))
    assert growth.confirmed is False


def test_a_new_value_closes_the_open_period_the_day_before(db_session, make_user):
    admin = make_user("admin")
    parameter_table(db_session)
    row = add(db_session, admin)
    old, new = history(db_session)
    assert (old.valid_from, old.valid_to) == (date(2016, 1, 1), date(2026, 12, 31))
    assert (new.id, new.valid_to, new.origin, new.created_by_id) == (row.id, None, "admin",
                                                                    admin.id)
    table = parameter_table(db_session)
    assert float(table.value(KEY, date(2026, 12, 31))) == 0.10
    assert float(table.value(KEY, date(2027, 1, 1))) == 0.12
    assert table.lookup(KEY, date(2027, 1, 1)).confirmed is False


def test_adding_a_value_is_audited(db_session, make_user):
    admin = make_user("admin")
    row = add(db_session, admin)
    logs = list(db_session.scalars(select(AuditLog).where(AuditLog.entity_type ==
                                                          "policy_parameter")))
    actions = {(log.action, log.entity_id) for log in logs}
    old = history(db_session)[0]
    assert ("create", row.id) in actions
    assert ("update", old.id) in actions
    created = next(log for log in logs if log.action == "create")
    assert created.after["value"] == 0.12
    assert created.after["valid_from"] == "2027-01-01"
    assert created.actor_name == admin.username


def test_a_back_dated_value_ends_before_the_later_one(db_session, make_user):
    admin = make_user("admin")
    add(db_session, admin)
    add(db_session, admin, value=0.11, valid_from=date(2026, 7, 1))
    spans = [(r.valid_from, r.valid_to, r.value) for r in history(db_session)]
    assert spans == [(date(2016, 1, 1), date(2026, 6, 30), 0.1),
                     (date(2026, 7, 1), date(2026, 12, 31), 0.11),
                     (date(2027, 1, 1), None, 0.12)]


def test_a_second_value_on_the_same_date_is_refused(db_session, make_user):
    admin = make_user("admin")
    add(db_session, admin)
    with pytest.raises(ParameterInputError) as caught:
        add(db_session, admin, value=0.2)
    assert "已有取值" in caught.value.errors["valid_from"][0]


@pytest.mark.parametrize(("key", "value", "field", "fragment"), [
    ("hnte.rd_expense_ratio_bands", [{"max": 5000, "rate": 0.05}, {"min": 6000, "rate": 0.04}],
     "value", "分段"),
    ("hnte.rd_expense_ratio_bands", 0.05, "value", "分段表必须是非空列表"),
    ("hnte.rd_expense_ratio_bands", [{"max": 5000, "rate": 5}], "value", "0 到 1"),
    ("hnte.tech_staff_ratio_min", -1, "value", "非负数"),
    ("hnte.tech_staff_ratio_min", "abc", "value", "非负数"),
    ("no.such.key", 1, "key", "未知参数键"),
])
def test_malformed_values_are_refused_in_chinese_and_nothing_is_saved(
    db_session, make_user, key, value, field, fragment
):
    admin = make_user("admin")
    parameter_table(db_session)
    before = stored(db_session)
    with pytest.raises(ParameterInputError) as caught:
        add(db_session, admin, key=key, value=value)
    assert fragment in "".join(caught.value.errors[field])
    assert stored(db_session) == before
    assert all(r.valid_to is None for r in history(db_session, "hnte.rd_expense_ratio_bands"))


def test_a_missing_source_is_refused(db_session, make_user):
    with pytest.raises(ParameterInputError) as caught:
        add(db_session, make_user("admin"), source="  ")
    assert caught.value.errors["source"] == ["请填写来源（文号与文件标题）"]


def test_a_band_table_typed_as_yaml_or_json_is_read(db_session, make_user):
    text = ("- {max: 5000, max_inclusive: true, rate: 0.06}\n"
            "- {min: 5000, min_inclusive: false, rate: 0.04}")
    row = add(db_session, make_user("admin"), key="hnte.rd_expense_ratio_bands",
              value=value_from_text(text))
    assert row.value[0]["rate"] == 0.06
    assert value_from_text('[{"max": 1, "points": 0}, {"min": 1, "points": [7, 8]}]')[1] == {
        "min": 1, "points": [7, 8]}
    assert value_from_text(" 0.125 ") == 0.125


def test_a_value_from_2027_changes_verdicts_only_from_that_date(db_session, make_user,
                                                                  make_enterprise):
    # 18 of 120 staff are 科技人员 (15 %): enough for 10 %, not for a new 20 % minimum.
    figures = {**strong_years(), 2026: strong_years()[2025]}
    firm = make_enterprise(figures=figures, **STRONG_FIELDS)
    add(db_session, make_user("admin"), value=0.20)
    facts_2026 = facts_for_enterprise(db_session, firm, date(2026, 12, 31))
    facts_2027 = facts_for_enterprise(db_session, firm, date(2027, 1, 1))
    table = parameter_table(db_session)
    before = evaluate("hnte", facts_2026, date(2026, 12, 31), table).criterion("tech_staff_ratio")
    after = evaluate("hnte", facts_2027, date(2027, 1, 1), table).criterion("tech_staff_ratio")
    assert (before.passed, before.required) == (True, 0.1)
    assert (after.passed, after.required) == (False, 0.2)
    run_2026 = run_screening(db_session, as_of=date(2026, 12, 31), now=NOW, rules=["hnte"])
    run_2027 = run_screening(db_session, as_of=date(2027, 1, 1), now=NOW, rules=["hnte"])
    outcomes = dict(db_session.execute(select(Evaluation.run_id, Evaluation.outcome).where(
        Evaluation.enterprise_id == firm.id)).all())
    assert outcomes == {run_2026.id: "eligible", run_2027.id: "ineligible"}


def test_every_catalogue_key_is_seeded(db_session):
    assert parameter_table(db_session).keys() == set(PARAMETER_CATALOGUE)


def test_a_database_seeded_before_2025_takes_the_new_versions(db_session):
    # A database seeded from the earlier YAML: the pre-2025 values are stored open-ended.
    parameter_table(db_session)
    old_keys = ("provincial_institute.sales_revenue_min", "zj_tech_sme.sme_employees_below",
                "hnte.innovation_score_min")
    for row in db_session.scalars(select(PolicyParameter).where(PolicyParameter.key.in_(old_keys))):
        row.valid_to = None
    db_session.flush()
    table = parameter_table(db_session)  # the seeds now end these values on 2024-12-31
    for key in old_keys:
        (value,) = table.history(key)
        assert value.valid_to == date(2024, 12, 31), key
    assert parameter_table(db_session).history(old_keys[0])[0].valid_to == date(2024, 12, 31)


def test_an_admins_closing_date_is_left_alone(db_session, make_user):
    parameter_table(db_session)
    key = "zj_tech_sme.sme_revenue_below"
    (row,) = history(db_session, key)
    row.valid_to, row.origin = None, "admin"
    db_session.flush()
    parameter_table(db_session)
    assert history(db_session, key)[0].valid_to is None
