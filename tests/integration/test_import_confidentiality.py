"""An advisor's import learns nothing about firms outside their portfolio: the dry run gives one
fixed answer whatever the row holds (no oracle), and revert refuses firms that moved away."""

from __future__ import annotations

from datetime import date

import pytest
from import_support import NOW, run, write_csv
from sqlalchemy import select

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import FiscalYearFigures
from cultivation.imports.models import ImportBatch
from cultivation.imports.planning import OUTSIDE_PORTFOLIO
from cultivation.imports.revert import RevertRefused, revert_batch
from cultivation.portfolios import services as portfolios
from cultivation.qualifications.models import Qualification

STORED_TOTAL = 1234.56
MERGED_CHECK = "高新技术产品（服务）收入不能超过总收入（与已有数据合并后）"


def code(n: int) -> str:
    return make_code("91331024", f"{62000000 + n:08d}")


@pytest.fixture
def firms(db_session, make_user, make_enterprise):
    mine, theirs = make_user("advisor"), make_user("advisor")
    own = make_enterprise(credit_code=code(1), advisor=mine, contact_phone="0576-87000001",
                          figures={2025: {"total_revenue": 5000, "employees": 50}})
    other = make_enterprise(credit_code=code(2), advisor=theirs, contact_phone="0576-87654321",
                            contact_person="王五",
                            figures={2025: {"total_revenue": STORED_TOTAL, "employees": 80}})
    db_session.add(Qualification(enterprise_id=other.id, kind="hnte", number="GR202533000777",
                                 valid_from=date(2025, 12, 1), valid_to=date(2028, 11, 30)))
    db_session.flush()
    return mine, theirs, own, other


def _answer(report):
    """Everything a dry run tells the user, without the row numbers."""
    return (tuple((e["column"], e["value"], e["message"]) for e in report.errors),
            tuple((s["column"], s["value"], s["message"]) for s in report.skipped),
            report.rows, report.valid, report.to_create, report.to_update, report.unchanged)


def _dry(db_session, tmp_path, user, rows, name="f.csv"):
    return _answer(run(db_session, write_csv(tmp_path / name, rows), user=user))


def test_halving_the_guess_no_longer_recovers_hidden_revenue(db_session, tmp_path, firms):
    mine, _, _, other = firms
    header = ["统一社会信用代码", "年度", "高新技术产品收入"]
    answers = {_dry(db_session, tmp_path, mine, [header, [other.credit_code, 2025, guess]])
               for guess in (1, 617.28, 1234.56, 1234.57, 2469.12, 10**7)}
    assert len(answers) == 1  # below, at and above the stored 总收入: the same answer
    (errors, skipped, rows, valid, *_), = answers
    assert errors == ()
    assert skipped == (("统一社会信用代码", other.credit_code, OUTSIDE_PORTFOLIO),)
    assert (rows, valid) == (1, 0)


def test_figures_equal_to_the_stored_ones_answer_the_same_as_different_ones(db_session, tmp_path,
                                                                            firms):
    mine, _, _, other = firms
    header = ["统一社会信用代码", "年度", "职工总数", "总收入"]
    same = _dry(db_session, tmp_path, mine, [header, [other.credit_code, 2025, 80, STORED_TOTAL]])
    differ = _dry(db_session, tmp_path, mine, [header, [other.credit_code, 2025, 81, 99]])
    new_year = _dry(db_session, tmp_path, mine, [header, [other.credit_code, 2019, 81, 99]])
    assert same == differ == new_year


def test_guessed_phone_numbers_and_advisors_are_not_confirmed(db_session, tmp_path, firms):
    mine, theirs, _, other = firms
    header = ["统一社会信用代码", "联系电话", "联系人", "科技指导员"]
    answers = {
        _dry(db_session, tmp_path, mine, [header, [other.credit_code, phone, person, advisor]])
        for phone in ("0576-87654321", "0576-87000009")
        for person in ("王五", "赵六")
        for advisor in (theirs.username, mine.username, "")
    }
    assert len(answers) == 1
    assert answers.pop()[1] == (("统一社会信用代码", other.credit_code, OUTSIDE_PORTFOLIO),)


def test_guessed_certificates_are_not_confirmed(db_session, tmp_path, firms):
    mine, _, _, other = firms
    header = ["统一社会信用代码", "资质类型", "证书编号", "发证日期"]
    answers = {_dry(db_session, tmp_path, mine, [header, [other.credit_code, "高新技术企业",
                                                          number, day]])
               for number in ("GR202533000777", "GR202533000778")
               for day in ("2025-12-01", "2024-12-01")}
    assert len(answers) == 1


def test_the_own_portfolio_is_still_checked_against_stored_data(db_session, tmp_path, firms):
    mine, _, own, other = firms
    header = ["统一社会信用代码", "年度", "高新技术产品收入"]
    report = run(db_session, write_csv(tmp_path / "m.csv", [
        header, [own.credit_code, 2025, 6000], [other.credit_code, 2025, 6000]]), user=mine)
    assert [e["message"] for e in report.errors] == [MERGED_CHECK]
    assert [s["message"] for s in report.skipped] == [OUTSIDE_PORTFOLIO]


def test_the_commit_changes_nothing_outside_the_portfolio(db_session, tmp_path, firms):
    mine, _, _, other = firms
    path = write_csv(tmp_path / "c.csv", [["统一社会信用代码", "联系电话", "企业名称"],
                                          [other.credit_code, "110", "改名"]])
    report = run(db_session, path, user=mine, commit=True)
    assert (report.updated, report.created) == (0, 0)
    db_session.refresh(other)
    assert (other.contact_phone, other.name) == ("0576-87654321", other.name)


def test_admins_still_import_everything(db_session, tmp_path, firms, make_user):
    _, _, _, other = firms
    path = write_csv(tmp_path / "a.csv", [["统一社会信用代码", "年度", "高新技术产品收入"],
                                          [other.credit_code, 2025, 2000]])
    report = run(db_session, path, user=make_user("admin"))
    assert report.skipped == []
    assert [e["message"] for e in report.errors] == [MERGED_CHECK]


def _figures(db_session, firm):
    return db_session.scalar(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firm.id, FiscalYearFigures.year == 2025))


def test_revert_is_refused_once_the_firm_moved_to_another_advisor(db_session, tmp_path, firms):
    mine, theirs, own, _ = firms
    path = write_csv(tmp_path / "r.csv", [["统一社会信用代码", "年度", "职工总数"],
                                          [own.credit_code, 2025, 77]])
    batch = db_session.get(ImportBatch, run(db_session, path, user=mine, commit=True).batch)
    assert _figures(db_session, own).employees == 77
    portfolios.assign(db_session, own, theirs, on=NOW.date(), actor="test")
    _figures(db_session, own).employees = 78  # the new advisor's edit must not leak either
    db_session.flush()
    with pytest.raises(RevertRefused) as refused:
        revert_batch(db_session, batch, actor=mine, now=NOW, today=NOW.date())
    assert refused.value.reasons == [
        "本批次涉及的 1 家企业已不在您的联系企业范围内，不能撤销（请联系管理员）"]
    assert _figures(db_session, own).employees == 78
    assert batch.status == "committed"


def test_revert_of_an_own_batch_still_works(db_session, tmp_path, firms):
    mine, _, own, _ = firms
    path = write_csv(tmp_path / "o.csv", [["统一社会信用代码", "年度", "职工总数"],
                                          [own.credit_code, 2025, 77]])
    batch = db_session.get(ImportBatch, run(db_session, path, user=mine, commit=True).batch)
    assert revert_batch(db_session, batch, actor=mine, now=NOW, today=NOW.date()) == 1
    assert _figures(db_session, own).employees == 50
