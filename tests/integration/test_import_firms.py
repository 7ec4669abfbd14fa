"""Importing firm lists: tolerant headers, every problem reported, upserts, nothing half-saved."""

from __future__ import annotations

from datetime import date

import pytest
from import_support import count, messages, run, write_csv, write_xlsx
from sqlalchemy import select

from cultivation.audit.models import AuditLog
from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise
from cultivation.imports.models import ImportBatch, ImportChange
from cultivation.imports.reader import ReadError


def code(n: int) -> str:
    return make_code("91331024", f"{60000000 + n:08d}")


MESSY_HEADER = ["序号", "企业名称 ", "信用代码", "所属乡镇（街道）", "产业", "成立日期",
                "是否规上", "联系电话", "统计员备注列"]


def messy_rows() -> list[list]:
    return [
        ["2025年仙居县科技企业名单"],
        [],
        MESSY_HEADER,
        [1, "仙居甲药业有限公司", code(1).lower(), "安洲", "医药", date(2015, 3, 1), "是",
         "0576-1", "x"],
        [2, "仙居乙电子有限公司", " " + code(2)[:9] + " " + code(2)[9:], "横溪镇", "电子电气",
         "2016年5月8日", "否", None, None],
        [3, "仙居丙机械有限公司", code(3), "白塔镇", "高端装备", "2017.6.9", "是", None, None],
        [4, "坏代码公司", code(4)[:17] + ("0" if code(4)[17] != "0" else "1"), "白塔镇", "医药",
         None, None, None, None],
        [5, "重复公司", code(1), "安洲街道", "医药", None, None, None, None],
        [6, "未知乡镇公司", code(6), "火星镇", "医药", None, None, None, None],
        [7, "未知产业公司", code(7), "安洲街道", "航天", None, None, None, None],
        [8, "未来公司", code(8), "安洲街道", "医药", "2999-01-01", None, None, None],
        [9, "是否错误公司", code(9), "安洲街道", "医药", None, "大概", None, None],
        [None, None, None, None, None, None, None, None, None],
        ["注：以上排名不分先后"],
    ]


def test_a_messy_official_style_sheet_is_checked_row_by_row(db_session, tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", messy_rows())
    report = run(db_session, path)
    assert report.kind == "firms"
    assert report.rows == 10
    assert report.valid == 3
    assert report.to_create == 3
    assert report.unknown_columns == ["统计员备注列"]
    found = messages(report)
    assert (7, "信用代码", f"统一社会信用代码校验位错误（第18位应为{code(4)[17]}）") in found
    assert any(r == 8 and "与第4行重复" in m for r, _, m in found)
    assert any(r == 9 and c == "所属乡镇（街道）" and "未知的乡镇" in m for r, c, m in found)
    assert any(r == 10 and c == "产业" and "未知的产业" in m for r, c, m in found)
    assert any(r == 11 and c == "成立日期" and "晚于今天" in m for r, c, m in found)
    assert any(r == 12 and c == "是否规上" and "是”或“否" in m for r, c, m in found)
    assert [s["row"] for s in report.skipped] == [14]


def test_the_dry_run_writes_nothing(db_session, tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", messy_rows())
    before = (count(db_session, Enterprise), count(db_session, AuditLog),
              count(db_session, ImportBatch))
    report = run(db_session, path)
    assert report.batch is None
    assert report.created == 0
    assert (count(db_session, Enterprise), count(db_session, AuditLog),
            count(db_session, ImportBatch)) == before


def test_commit_imports_only_the_valid_rows_with_parsed_values(db_session, tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", messy_rows())
    report = run(db_session, path, commit=True)
    assert report.created == 3
    assert len(report.errors) == 6
    firms = {f.credit_code: f for f in db_session.scalars(select(Enterprise))}
    assert set(firms) == {code(1), code(2), code(3)}
    first = firms[code(1)]
    assert (first.town, first.registered_on, first.above_scale) == ("安洲街道", date(2015, 3, 1),
                                                                     True)
    assert firms[code(2)].registered_on == date(2016, 5, 8)
    assert firms[code(3)].registered_on == date(2017, 6, 9)
    assert first.import_batch_id == report.batch
    assert count(db_session, ImportChange) == 3
    assert db_session.scalars(select(AuditLog).where(AuditLog.enterprise_id == first.id,
                                                     AuditLog.action == "create")).one()


def test_a_gbk_csv_with_thousands_separators_is_read(db_session, tmp_path, make_enterprise):
    rows = [["企业名称", "统一社会信用代码", "乡镇街道", "上市"],
            ["仙居丁科技有限公司", code(20), "福应街道", "否"]]
    for encoding in ("gbk", "gb18030", "utf-8-sig", "utf-8"):
        path = write_csv(tmp_path / f"firms-{encoding}.csv", rows, encoding=encoding)
        report = run(db_session, path)
        assert report.errors == [], encoding
        assert report.to_create == 1, encoding


def test_an_update_changes_only_the_filled_cells_and_is_audited(db_session, tmp_path,
                                                                make_enterprise):
    firm = make_enterprise(credit_code=code(30), name="旧名称", contact_phone="123",
                           above_scale=False)
    path = write_xlsx(tmp_path / "u.xlsx", [
        ["统一社会信用代码", "企业名称", "联系电话", "规上企业"],
        [code(30), "新名称", None, "是"]])
    report = run(db_session, path, commit=True)
    assert (report.updated, report.created) == (1, 0)
    db_session.refresh(firm)
    assert (firm.name, firm.contact_phone, firm.above_scale) == ("新名称", "123", True)
    entry = db_session.scalars(select(AuditLog).where(AuditLog.enterprise_id == firm.id,
                                                      AuditLog.action == "update")).one()
    assert entry.before == {"name": "旧名称", "above_scale": False}


def test_a_new_firm_without_a_town_is_an_error(db_session, tmp_path):
    path = write_xlsx(tmp_path / "n.xlsx", [["统一社会信用代码", "企业名称"],
                                            [code(40), "无乡镇公司"]])
    report = run(db_session, path)
    assert messages(report) == [(2, "乡镇（街道）", "新登记的企业必须填写乡镇（街道）")]


def test_a_code_stored_as_a_number_explains_the_precision_loss(db_session, tmp_path):
    path = write_xlsx(tmp_path / "num.xlsx", [["统一社会信用代码", "企业名称", "乡镇"],
                                              [913310246000000123, "数字代码公司", "安洲街道"]])
    report = run(db_session, path)
    assert "丢失精度" in report.errors[0]["message"]


@pytest.mark.parametrize(("content", "fragment"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04garbage", "无法读取"),
    ("甲,乙\n1,2\n".encode(), "表头"),
])
def test_unreadable_files_raise_a_chinese_read_error(db_session, tmp_path, content, fragment):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=fragment.replace(".", r"\.")):
        run(db_session, path)


def test_a_missing_file_is_a_read_error(db_session, tmp_path):
    with pytest.raises(ReadError, match="不存在"):
        run(db_session, tmp_path / "nope.xlsx")
