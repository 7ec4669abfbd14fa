"""Checking one spreadsheet row on its own: parse every mapped cell through the shared schema,
report each problem with the Excel row number, the column as written and the value.

What needs the database (does the firm exist, what changes) is decided per chunk in services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cultivation.enterprises import schemas
from cultivation.enterprises.credit_code import make_code, validate
from cultivation.imports.headers import HeaderMap
from cultivation.inputs import InputError, folded, is_blank, parse_number, text
from cultivation.qualifications.models import QUALIFICATION_KINDS
from cultivation.qualifications.validity import default_valid_to
from cultivation.spreadsheet import restore_text

EXAMPLE_CODE = make_code("91331024", "MA2EXAMP")  # templates' example row; the importer skips it
SAMPLE_ROW = "第{row}行是模板示例行（示例信用代码），已跳过，不计入数据行"
SPECS = {"firms": schemas.ENTERPRISE, "figures": schemas.FIGURES,
         "qualifications": schemas.QUALIFICATION}
_KIND_WORDS = (("入库", "tech_sme"), ("评价", "tech_sme"), ("领军", "leading"),
               ("初创", "startup"), ("高新技术企业", "hnte"), ("高企", "hnte"),
               ("科技型中小企业", "zj_tech_sme"), ("科小", "zj_tech_sme"))


@dataclass(frozen=True)
class Issue:
    """One problem: Excel row, column header as written, the value and a Chinese message."""

    row: int
    column: str
    value: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, datetime | date):
            value = value.isoformat()[:10]
        elif value is not None and not isinstance(value, int | float | str | bool):
            value = str(value)
        return {"row": self.row, "column": self.column, "value": value, "message": self.message}


@dataclass
class Candidate:
    """A row that passed the row-level checks: what to upsert."""

    row: int
    code: str
    key: tuple[Any, ...]
    values: dict[str, Any]
    name: str | None = None
    year: int | None = None
    advisor: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """The result of checking a row: a candidate, issues, or a reason it was skipped."""

    candidate: Candidate | None = None
    issues: list[Issue] = field(default_factory=list)
    skipped: str | None = None
    blank: bool = False
    sample: bool = False  # the template's example row: neither a data row nor imported


def is_sample_code(value: Any) -> bool:
    """Whether a credit-code cell holds the templates' example code (the sample row's marker),
    however it was typed or exported."""
    if is_blank(value):
        return False
    return validate(folded(restore_text(value)) or "").code == EXAMPLE_CODE


def kind_from_text(words: str) -> str | None:
    """A qualification kind named in a title, file name or cell ('高新技术企业' → hnte)."""
    compact = re.sub(r"\s", "", words or "")
    for word, kind in _KIND_WORDS:
        if word in compact:
            return kind
    return None


class RowChecker:
    """Checks rows of one sheet of one kind; remembers keys to report duplicates in the file."""

    def __init__(self, kind: str, hmap: HeaderMap, ctx: schemas.Context, *,
                 qualification_kind: str | None = None) -> None:
        self.kind = kind
        self.hmap = hmap
        self.ctx = ctx
        self.spec = SPECS[kind]
        self.file_kind = qualification_kind
        self.seen: dict[tuple[Any, ...], int] = {}

    def check(self, number: int, cells: list[Any]) -> Outcome:
        # Exports neutralise text that could start a formula; read it back as it was stored.
        raw = {name: restore_text(cells[i]) for i, name in self.hmap.columns.items()
               if i < len(cells)}
        filled = [c for c in cells if not is_blank(c)]
        if not filled:
            return Outcome(blank=True)
        if len(filled) == 1 and is_blank(raw.get("credit_code")):
            return Outcome(
                skipped=f"只有一个单元格有内容（“{text(filled[0])}”），视为说明行，已跳过")
        if is_sample_code(raw.get("credit_code")):
            return Outcome(sample=True)
        issues: list[Issue] = []
        code = self._code(number, raw.get("credit_code"), issues)
        values = self._clean(number, raw, issues)
        year = self._year(number, raw, issues) if self.kind == "figures" else None
        if self.kind == "qualifications":
            self._qualification(number, raw, values, issues)
        if issues or code is None:
            return Outcome(issues=issues)
        key = self._key(code, values, year)
        first = self.seen.get(key)
        if first is not None:
            what = {"firms": "统一社会信用代码", "figures": "企业和年度",
                    "qualifications": "企业、资质类型和生效日期"}[self.kind]
            return Outcome(issues=[Issue(number, self.hmap.header_of("credit_code"),
                                         raw.get("credit_code"), f"{what}与第{first}行重复")])
        self.seen[key] = number
        advisor = text(raw.get("advisor")) if "advisor" in raw else None
        return Outcome(Candidate(number, code, key, values, name=values.get("name"), year=year,
                                 advisor=advisor, raw=raw))

    def issue(self, number: int, name: str, value: Any, message: str) -> Issue:
        return Issue(number, self.hmap.header_of(name), value, message)

    def _code(self, number: int, value: Any, issues: list[Issue]) -> str | None:
        if is_blank(value):
            issues.append(self.issue(number, "credit_code", value, "缺少统一社会信用代码"))
            return None
        result = validate(folded(value) or "")
        if result.ok:
            return result.code
        message = result.errors[0]
        if isinstance(value, int | float) and not isinstance(value, bool):
            message += ("（该单元格是数字格式：超过15位的数字在 Excel 中会丢失精度，"
                        "请将该列设为文本后重新填写）")
        issues.append(self.issue(number, "credit_code", value, message))
        return None

    def _clean(self, number: int, raw: dict[str, Any], issues: list[Issue]) -> dict[str, Any]:
        present = {k: v for k, v in raw.items() if k in self.spec and k != "credit_code"
                   and not is_blank(v)}
        self._tolerate(present)
        try:
            values = schemas.clean(self.spec, present, self.ctx, partial=True)
        except schemas.ValidationError as exc:
            for name, messages in exc.errors.items():
                issues.append(self.issue(number, name, raw.get(name), "；".join(messages)))
            return {}
        for name, factor in self.hmap.factors.items():
            if values.get(name) is not None and factor != 1.0:
                values[name] = round(values[name] * factor, 2)
        if self.kind == "figures":
            for name, messages in schemas.check_figures(values).items():
                issues.append(self.issue(number, name, raw.get(name), "；".join(messages)))
        return {k: v for k, v in values.items() if v is not None}

    def _tolerate(self, present: dict[str, Any]) -> None:
        """Office spellings the schema does not know: '仙居县安洲街道', '高企', '省科小'."""
        town = folded(present.get("town"))
        region = self.ctx.region
        if town:
            for prefix in (region.name, region.name.rstrip("县市区")):
                if prefix and town.startswith(prefix) and len(town) > len(prefix):
                    present["town"] = town[len(prefix):]
                    break
        kind = folded(present.get("kind"))
        if kind and self.kind == "qualifications":
            known = set(QUALIFICATION_KINDS) | set(QUALIFICATION_KINDS.values())
            if kind not in known and kind_from_text(kind):
                present["kind"] = kind_from_text(kind)

    def _year(self, number: int, raw: dict[str, Any], issues: list[Issue]) -> int | None:
        value = raw.get("year")
        try:
            cleaned = folded(value)
            year = parse_number(cleaned.rstrip("年") if cleaned else None, integer=True)
        except InputError:
            year = -1
        if year is None:
            issues.append(self.issue(number, "year", value, "缺少年度"))
            return None
        if not 1949 <= int(year) <= self.ctx.today.year:
            issues.append(self.issue(number, "year", value,
                                     f"年度应为 1949–{self.ctx.today.year} 之间的四位数字"))
            return None
        return int(year)

    def _qualification(self, number: int, raw: dict[str, Any], values: dict[str, Any],
                       issues: list[Issue]) -> None:
        kind = values.get("kind") or self.file_kind
        if kind is None and str(values.get("number", "")).upper().startswith("GR"):
            kind = "hnte"  # 高企证书编号 GR + year + province …
        if kind is None:
            issues.append(self.issue(number, "kind", raw.get("kind"),
                                     "无法判断资质类型：请增加“资质类型”列，或在导入时选择资质类型"))
            return
        values["kind"] = kind
        start = values.get("valid_from")
        if start is None:
            if not any(i.column == self.hmap.header_of("valid_from") for i in issues):
                issues.append(self.issue(number, "valid_from", raw.get("valid_from"),
                                         "缺少发证（生效）日期"))
            return
        if start > self.ctx.today:
            issues.append(self.issue(number, "valid_from", raw.get("valid_from"),
                                     "发证（生效）日期不能晚于今天"))
        if values.get("valid_to") is None and default_valid_to(kind, start) is not None:
            values["valid_to"] = default_valid_to(kind, start)
        problems = schemas.check_dates(values, "valid_from", "valid_to", "有效期至不能早于生效日期")
        if values.get("status") == "revoked" and not values.get("revoked_on"):
            problems.setdefault("revoked_on", []).append("状态为已撤销时请填写撤销日期")
        for name, messages in problems.items():
            issues.append(self.issue(number, name, raw.get(name), "；".join(messages)))

    def _key(self, code: str, values: dict[str, Any], year: int | None) -> tuple[Any, ...]:
        if self.kind == "figures":
            return (code, year)
        if self.kind == "qualifications":
            return (code, values.get("kind"), values.get("valid_from"))
        return (code,)

