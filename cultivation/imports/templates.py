"""Downloadable import templates: canonical headers, one example row (skipped on import) and a
sheet explaining every column and its allowed values."""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from cultivation import spreadsheet
from cultivation.enterprises import schemas
from cultivation.enterprises.models import FIGURE_SOURCES
from cultivation.imports.exports import cell_value, header_row
from cultivation.imports.headers import ADVISOR_LABEL, KINDS, YEAR_LABEL, canonical_headers
from cultivation.imports.rows import EXAMPLE_CODE
from cultivation.qualifications.models import QUALIFICATION_KINDS
from cultivation.qualifications.validity import VALIDITY_YEARS
from cultivation.regions import Region

_EXAMPLE_NAME = "示例科技有限公司（示例行，导入时自动跳过）"
_KIND_HELP = {"string": "文本", "choice": "从可选值中选择",
              "date": "日期：2024-03-01、2024年3月1日 或 2024.3.1",
              "boolean": "是 / 否", "integer": "整数", "number": "数字，可带千分位逗号"}


def example_row(kind: str, region: Region, today: date) -> dict[str, Any]:
    """The example values of a template (valid, with the example code the importer skips)."""
    if kind == "firms":
        return {"name": _EXAMPLE_NAME, "credit_code": EXAMPLE_CODE, "town": region.towns[0],
                "industry": region.industries[0], "tech_domain": "生物与新医药",
                "registered_on": date(2015, 3, 1), "above_scale": True, "listed": False,
                "address": f"{region.name}{region.towns[0]}示例路1号", "contact_person": "张三",
                "contact_phone": "0576-87000000", "contact_email": "contact@example.com",
                "core_ip_owned": True, "ip_self_developed": True, "led_standard": False,
                "major_incident_last_year": False, "national_award_5y": False,
                "self_tech_advancement": 6, "self_core_support": 6, "self_rd_management": 14}
    if kind == "figures":
        return {"credit_code": EXAMPLE_CODE, "name": _EXAMPLE_NAME, "year": today.year - 1,
                "employees": 120, "tech_staff": 18, "sales_revenue": 4300, "total_revenue": 4400,
                "high_tech_revenue": 3100, "rd_expense": 270, "rd_expense_domestic": 265,
                "total_cost": 3900, "total_assets": 9000, "net_assets": 5200, "ip_class_i": 2,
                "ip_class_ii": 5, "conversions": 5, "source": "stats"}
    return {"credit_code": EXAMPLE_CODE, "name": _EXAMPLE_NAME, "kind": "hnte",
            "number": "GR202333001234", "valid_from": date(today.year - 1, 12, 8),
            "status": "valid"}


def _explanations(kind: str, region: Region) -> list[list[str]]:
    spec = {"firms": schemas.ENTERPRISE, "figures": schemas.FIGURES,
            "qualifications": schemas.QUALIFICATION}[kind]
    rows = []
    for name, header in canonical_headers(kind).items():
        fld = spec.get(name)
        required = "必填" if name == "credit_code" else ""
        if kind == "firms" and name in ("name", "town"):
            required = "新企业必填"
        if kind == "figures" and name == "year":
            required = "必填"
        if kind == "qualifications" and name == "valid_from":
            required = "必填"
        if name == "town":
            allowed = "、".join(region.towns)
        elif name == "industry":
            allowed = "、".join(region.industries)
        elif name == "source":
            allowed = "、".join(FIGURE_SOURCES.values())
        elif fld is not None and fld.json_kind == "choice":
            allowed = "、".join(str(cell_value(name, o)) for o in fld.options)
        else:
            allowed = ""
        if name == ADVISOR_LABEL or name == "advisor":
            what = "科技指导员的用户名或姓名（仅管理员导入时生效）"
        elif name == "year":
            what = f"{YEAR_LABEL}，四位数字"
        elif name == "credit_code":
            what = "18位统一社会信用代码（请把该列设为文本格式）"
        else:
            what = _KIND_HELP.get(fld.json_kind if fld else "string", "文本")
        rows.append([header, required, what, allowed])
    return rows


def write_template(handle: IO[bytes], kind: str, region: Region, today: date) -> None:
    """Write the template workbook of ``kind``."""
    book = spreadsheet.new_workbook(write_only=True)
    sheet = book.create_sheet(KINDS[kind])
    headers = canonical_headers(kind)
    sheet.append(header_row(sheet, headers.values()))
    example = example_row(kind, region, today)
    sheet.append(spreadsheet.cells(sheet, [cell_value(name, example.get(name))
                                           for name in headers]))
    notes = book.create_sheet("填写说明")
    notes.append(header_row(notes, ["列名", "是否必填", "格式", "可选值"]))
    for row in _explanations(kind, region):
        notes.append(spreadsheet.cells(notes, row))
    notes.append([])
    notes.append(spreadsheet.cells(notes, [
        "说明", "", "第2行为示例行，导入时自动跳过，可删除。列名可用常见写法"
        "（如“信用代码”“所属乡镇”），列顺序不限；空白单元格不会清空已有数据；"
        "金额单位为万元（表头写明“（元）”时自动换算）。", ""]))
    if kind == "qualifications":
        years = "；".join(f"{QUALIFICATION_KINDS[k]} {n} 年" for k, n in VALIDITY_YEARS.items())
        notes.append(spreadsheet.cells(
            notes, ["有效期", "", f"未填“有效期至”时按发证日期推算（{years}）", ""]))
    book.save(handle)
