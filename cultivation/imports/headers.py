"""Tolerant header mapping: the headers towns, the statistics office and the province use.

A header is normalised (full-width folded, bracketed notes such as （街道） or （万元） and spaces
and punctuation removed, lower-cased) and looked up among each field's canonical label (the
schema label, which the templates and exports write) and its synonyms. A unit note on a money
column (元 / 千元 / 万元 / 亿元) gives the factor to 万元.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cultivation.enterprises import schemas
from cultivation.enterprises.models import MONEY_FIELDS

KINDS = {"firms": "企业名录", "figures": "年度数据", "qualifications": "资质名单"}
YEAR_LABEL = "年度"
ADVISOR_LABEL = "科技指导员"
TIER_LABEL = "梯次"

_COMMON = {
    "name": ("企业名称", "单位名称", "企业全称", "公司名称", "名称", "申报单位", "企业", "单位"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "统一信用代码",
                    "统一社会信用代码证号", "纳税人识别号", "税号", "社会统一信用代码"),
}
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "firms": {
        **_COMMON,
        "town": ("乡镇", "所属乡镇", "乡镇街道", "所在乡镇", "街道乡镇", "镇街", "所属镇街",
                 "乡镇名称", "所属街道", "属地"),
        "industry": ("所属产业", "产业", "产业类别", "主导产业", "产业分类"),
        "tech_domain": ("高新技术领域", "技术领域", "所属技术领域", "高新领域"),
        "sector": ("行业门类（中小企业划型）", "行业门类", "国民经济行业门类", "划型行业",
                   "中小企业划型行业"),
        "provincial_innovation_score": ("省企业研究院创新能力评价得分（0–100）",
                                        "省企业研究院创新能力评价得分", "研究院创新能力评价得分",
                                        "创新能力评价得分"),
        "registered_on": ("注册日期", "成立日期", "注册时间", "成立时间", "登记日期"),
        "above_scale": ("规上企业", "是否规上", "是否规上企业", "规上", "规模以上", "是否规模以上"),
        "listed": ("上市企业", "是否上市", "上市", "是否上市企业"),
        "address": ("地址", "注册地址", "企业地址", "通讯地址", "经营地址", "详细地址"),
        "contact_person": ("联系人", "企业联系人"),
        "contact_phone": ("联系电话", "电话", "手机", "联系方式", "手机号码", "联系人电话"),
        "contact_email": ("联系邮箱", "邮箱", "电子邮箱", "email", "e-mail"),
        "notes": ("备注", "说明"),
        "advisor": (ADVISOR_LABEL, "指导员", "联系指导员"),
    },
    "figures": {
        **_COMMON,
        "year": (YEAR_LABEL, "年份", "会计年度", "统计年度", "数据年度", "年"),
        "employees": ("职工总数", "从业人员", "从业人数", "职工人数", "员工人数", "年末从业人员",
                      "从业人员期末人数", "从业人员平均人数"),
        "tech_staff": ("科技人员数", "科技人员", "研发人员", "研发人员数", "科技活动人员"),
        "sales_revenue": ("销售收入", "营业收入", "主营业务收入", "营业收入合计"),
        "total_revenue": ("总收入", "收入总额", "企业总收入"),
        "high_tech_revenue": ("高新技术产品收入", "高新收入", "高品收入", "高新技术产品服务收入"),
        "rd_expense": ("研发费用", "研发投入", "研究开发费用", "r&d经费支出", "研发经费",
                       "研发费用总额"),
        "rd_expense_domestic": ("境内研发费用", "境内研究开发费用"),
        "total_cost": ("成本费用总额", "成本费用", "总成本"),
        "total_assets": ("资产总额", "总资产", "资产总计"),
        "net_assets": ("净资产", "所有者权益", "所有者权益合计"),
        "ip_class_i": ("i类知识产权", "一类知识产权", "i类知识产权数"),
        "ip_class_ii": ("ii类知识产权", "二类知识产权", "ii类知识产权数"),
        "conversions": ("科技成果转化", "成果转化", "成果转化数", "科技成果转化数"),
        "source": ("数据来源", "来源"),
    },
    "qualifications": {
        **_COMMON,
        "kind": ("资质类型", "类型", "资质", "认定类型", "资质名称"),
        "number": ("证书编号", "证书号", "登记编号", "入库编号", "入库登记编号", "登记号",
                   "证书号码", "备案编号"),
        "valid_from": ("发证日期", "生效日期", "认定日期", "发证时间", "认定时间", "入库日期",
                       "入库时间", "公告日期", "批准日期", "备案日期"),
        "valid_to": ("有效期至", "到期日期", "有效期截止", "截止日期", "失效日期", "有效期止"),
        "status": ("状态", "资质状态"),
        "revoked_on": ("撤销日期", "取消日期"),
        "note": ("备注", "说明"),
        "leading_kind": ("领军类型（管理员配置）", "领军类型", "领军名单类型"),
    },
}
# Columns every kind reads past quietly: row numbers and the read-only tier of exports.
IGNORED = ("序号", "编号", "行号", "no", TIER_LABEL, "当前梯次", "所在地区", "地区", "所属地区",
           "地市", "设区市", "县市区", "所属县市区", "区县", "所属市", "市")
_UNITS = {"万元": 1.0, "元": 0.0001, "千元": 0.1, "亿元": 10000.0}
_BRACKETS = re.compile(r"[(\[【<《].*?[)\]】>》]")
_NOISE = re.compile(r"[\s:：*＊、_\-—/\\.·。,，'\"“”‘’?？!！#]")


def normalize(header: Any) -> tuple[str, str]:
    """(key, unit note) of a header cell: '销售收入（万元）' → ('销售收入', '万元')."""
    raw = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    notes = " ".join(m.strip("()[]【】<>《》") for m in _BRACKETS.findall(raw))
    key = _NOISE.sub("", _BRACKETS.sub("", raw))
    return key, _NOISE.sub("", notes)


def _labels(kind: str) -> dict[str, str]:
    spec = {"firms": schemas.ENTERPRISE, "figures": schemas.FIGURES,
            "qualifications": schemas.QUALIFICATION}[kind]
    labels = {name: fld.label for name, fld in spec.items()}
    labels.update({"name": "企业名称", "credit_code": "统一社会信用代码"})
    if kind == "firms":
        labels["advisor"] = ADVISOR_LABEL
    if kind == "figures":
        labels = {"credit_code": "统一社会信用代码", "name": "企业名称", "year": YEAR_LABEL,
                  **{k: v for k, v in labels.items() if k not in ("name", "credit_code")}}
    if kind == "qualifications":
        labels = {"credit_code": "统一社会信用代码", "name": "企业名称",
                  **{k: v for k, v in labels.items() if k not in ("name", "credit_code")}}
    return labels


def canonical_headers(kind: str) -> dict[str, str]:
    """field → the header templates and exports write (the schema's label)."""
    labels = _labels(kind)
    if kind == "firms":
        order = ["name", "credit_code", *[n for n in labels if n not in ("name", "credit_code")]]
        return {name: labels[name] for name in order}
    return labels


def _lookup(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for name, label in _labels(kind).items():
        for text in (label, *SYNONYMS[kind].get(name, ())):
            table.setdefault(normalize(text)[0], name)
    return table


LOOKUPS = {kind: _lookup(kind) for kind in KINDS}
_IGNORED_KEYS = {normalize(text)[0] for text in IGNORED}


@dataclass
class HeaderMap:
    """Which column holds which field, for one kind, and what was not understood."""

    kind: str
    columns: dict[int, str] = field(default_factory=dict)  # column index → field
    headers: dict[int, str] = field(default_factory=dict)  # column index → header as written
    factors: dict[str, float] = field(default_factory=dict)  # money field → factor to 万元
    unknown: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return set(self.columns.values())

    def header_of(self, name: str) -> str:
        """The header as the file wrote it (or the canonical label when the column is absent)."""
        for index, mapped in self.columns.items():
            if mapped == name:
                return self.headers[index]
        return canonical_headers(self.kind).get(name, name)


def map_headers(cells: Sequence[Any], kind: str) -> HeaderMap:
    """Map a header row for ``kind``; unknown columns are listed, never fatal."""
    result = HeaderMap(kind)
    lookup = LOOKUPS[kind]
    for index, cell in enumerate(cells):
        written = " ".join(str(cell if cell is not None else "").split())
        if not written:
            continue
        key, unit = normalize(cell)
        name = lookup.get(key)
        if name is None:
            if key not in _IGNORED_KEYS:
                result.unknown.append(written)
            continue
        if name in result.fields:
            result.duplicate.append(written)
            continue
        result.columns[index] = name
        result.headers[index] = written
        if name in MONEY_FIELDS and unit in _UNITS:
            result.factors[name] = _UNITS[unit]
    return result


def header_score(cells: Sequence[Any]) -> int:
    """How many cells of a row read as known headers (any kind): finds the header row."""
    keys = {normalize(c)[0] for c in cells if c is not None and str(c).strip()}
    known = set().union(*(set(lookup) for lookup in LOOKUPS.values()))
    return len(keys & known)


def detect_kind(cells: Sequence[Any]) -> str | None:
    """firms, figures or qualifications from the header row (None when unclear)."""
    figures = map_headers(cells, "figures").fields
    if "year" in figures and len(figures - {"name", "credit_code", "year"}) >= 1:
        return "figures"
    quals = map_headers(cells, "qualifications").fields
    if quals & {"number", "valid_from", "kind"} and quals & {"name", "credit_code"}:
        return "qualifications"
    firms = map_headers(cells, "firms").fields
    if "credit_code" in firms and len(firms - {"credit_code"}) >= 1:
        return "firms"
    return None
