"""Verdict JSON as people read it: Chinese labels, percentages, units, badges, sources.

Shared by the firm page's verdict cards, the 自测 page and the 培育库 list; works on the JSON
form (``verdict_to_json`` or a stored Evaluation's details), so live and stored verdicts look
the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP
from typing import Any

from cultivation.policy import PARAMETER_CATALOGUE
from cultivation.policy.numbers import RATE_DIGITS, SHARE_DIGITS, percent
from cultivation.vocabulary import OUTCOME_BADGES as OUTCOME_BADGES
from cultivation.vocabulary import OUTCOME_LABELS, RULES_LABELS

RATIO_IDS = frozenset({"tech_staff_ratio", "rd_expense_ratio", "domestic_rd_share",
                       "high_tech_revenue_share", "rd_staff_ratio", "core_product_share"})
SCORE_PARTS = {
    "ip": "知识产权", "conversion": "科技成果转化能力", "rd_management": "研究开发组织管理水平",
    "growth": "企业成长性", "tech_staff": "科技人员", "rd_investment": "研发投入",
    "achievements": "科技成果",
}
DIRECT_PASS_LABELS = {
    "holds_valid_hnte": "持有有效高新技术企业证书", "national_award_5y": "近五年获国家级科技奖励",
    "provincial_rd_institution": "拥有省部级以上研发机构", "led_standard": "近五年主导制定标准",
}
UNCONFIRMED = "待确认"
# Alternatives inside an "any of" criterion (their JSON is {id: value}): label, operator, unit.
ALTERNATIVES = {
    "core_ip": ("核心知识产权", "", ""), "led_standard": ("主导制定标准", "", ""),
    "ip_items": ("有效知识产权", "≥ ", "项"), "employees": ("从业人员", "< ", "人"),
    "sales_revenue": ("营业收入", "< ", "万元"), "rd_expense_ratio": ("研发费用占比", "≥ ", ""),
    "rd_expense_amount": ("研发费用", "≥ ", "万元"), "ip_class_i": ("Ⅰ类知识产权", "≥ ", "项"),
    "ip_class_ii": ("Ⅱ类知识产权", "≥ ", "项"), "total_assets": ("资产总额", "< ", "万元"),
}
STRICT_MINIMUM = frozenset({"innovation_spending"})  # "> 0": some R&D spending


@dataclass(frozen=True)
class CriterionView:
    """One criterion row of a verdict card."""

    id: str
    label: str
    passed: bool | None
    status: str  # 通过 / 未通过 / 数据不全 / 待专家评分
    status_class: str
    actual: str
    required: str
    gap: str
    years: str
    note: str


@dataclass(frozen=True)
class ParameterView:
    """A parameter a verdict used, with its source and whether it is confirmed."""

    key: str
    label: str
    value: str
    source: str
    confirmed: bool


@dataclass(frozen=True)
class VerdictView:
    """A verdict card: outcome badge, criteria, score and the parameters used."""

    rules: str
    title: str
    as_of: str
    outcome: str
    outcome_label: str
    badge: str
    criteria: list[CriterionView]
    score: str
    score_parts: list[tuple[str, str]]
    direct_pass: str
    parameters: list[ParameterView]

    @property
    def unconfirmed(self) -> int:
        """How many parameters used are still UNCONFIRMED."""
        return sum(1 for p in self.parameters if not p.confirmed)


def number_text(value: Any) -> str:
    """12 → "12", 38.5 → "38.5", 1234567.0 → "1,234,567"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def percent_text(value: Any, digits: int = RATE_DIGITS, rounding: str = ROUND_HALF_UP) -> str:
    """A policy rate as written (0.05 → "5%"); with ``digits=SHARE_DIGITS`` a share
    (0.222222 → "22.2%"). The one formatter: ``policy.numbers.percent``."""
    return percent(value, digits, rounding=rounding)


def value_text(value: Any, *, ratio: bool = False, unit: str | None = None,
               digits: int = RATE_DIGITS, rounding: str = ROUND_HALF_UP) -> str:
    """An actual / required value of a criterion as text (a ratio in percent: ``digits``
    decimals, ``rounding`` as ``policy.numbers.percent``)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, int | float) for v in value):
            low, high = value
            text = number_text(low) if low == high else f"{number_text(low)}–{number_text(high)}"
            return f"{text} {unit}" if unit else text
        if len(value) > 3:
            return f"{'、'.join(str(v) for v in value[:3])} 等 {len(value)} 项"
        return "、".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "；".join(_alternative(k, v) for k, v in value.items())
    if ratio:
        return percent_text(value, digits, rounding)
    return f"{number_text(value)} {unit}" if unit else number_text(value)


def _alternative(cid: str, value: Any, *, required: bool = False) -> str:
    label, operator, unit = ALTERNATIVES.get(cid, (cid, "", ""))
    text = value_text(value, ratio=cid in RATIO_IDS, unit=unit or None,
                      digits=RATE_DIGITS if required else SHARE_DIGITS)
    return f"{label} {operator if required else ''}{text}"


def _status(item: Mapping[str, Any]) -> tuple[str, str]:
    passed = item.get("passed")
    if item.get("soft") and passed is not True:  # "原则上…": shown, never decides the outcome
        return "提示（不影响结论）", "text-warning"
    if passed is True:
        return "通过", "text-success"
    if passed is False:
        return "未通过", "text-danger"
    gap = item.get("gap") or ""
    if gap.startswith("缺少数据"):
        return "数据不全", "text-secondary"
    return "待专家评分", "text-warning"


def criterion_view(item: Mapping[str, Any]) -> CriterionView:
    """One criterion of verdict JSON (full or stored-compact) for display."""
    cid = str(item.get("id", ""))
    ratio = cid in RATIO_IDS
    # A failed share reports its gap's unit (万元, 人); tech_staff_score's actual is points.
    unit = None if ratio else ("分" if cid == "tech_staff_score" else item.get("unit"))
    status, css = _status(item)
    # A share: one decimal, rounded down when it falls short (59.96 % never reads as 60 %).
    short = ROUND_FLOOR if item.get("passed") is False else ROUND_HALF_UP
    return CriterionView(
        id=cid, label=str(item.get("label", cid)), passed=item.get("passed"), status=status,
        status_class=css, actual=value_text(item.get("actual"), ratio=ratio, unit=unit,
                                            digits=SHARE_DIGITS, rounding=short),
        required=_required_text(cid, item.get("required"), ratio, unit),
        gap=item.get("gap") or "", years="、".join(str(y) for y in item.get("years") or []),
        note=item.get("note") or "",
    )


def _required_text(cid: str, value: Any, ratio: bool, unit: str | None) -> str:
    if cid == "tech_domain":
        return "国家重点支持的八大高新技术领域"
    if cid == "tech_staff_score":
        return "大于 0 分"
    if isinstance(value, Mapping):
        return "，或".join(_alternative(k, v, required=True) for k, v in value.items())
    prefix = "≥ " if isinstance(value, int | float) and not isinstance(value, bool) else ""
    if cid.endswith("_limit"):
        prefix = "≤ "
    elif cid in STRICT_MINIMUM:
        prefix = "> "
    return prefix + value_text(value, ratio=ratio, unit=unit)


def parameter_views(items: Sequence[Mapping[str, Any]]) -> list[ParameterView]:
    """The parameters of a verdict (or a run summary) with labels and sources."""
    views = []
    for item in items:
        key = str(item.get("key"))
        spec = PARAMETER_CATALOGUE.get(key)
        views.append(ParameterView(
            key=key, label=spec.label if spec else key,
            value=parameter_value_text(key, item.get("value")),
            source=str(item.get("source") or ""), confirmed=bool(item.get("confirmed", True)),
        ))
    return views


def parameter_value_text(key: str, value: Any) -> str:
    """A parameter value in one line: a number with its unit, or the bands."""
    spec = PARAMETER_CATALOGUE.get(key)
    if isinstance(value, list):
        return "；".join(_band_text(band, spec.unit if spec else "") for band in value)
    unit = spec.unit if spec else ""
    if unit == "比例":
        return percent_text(value)
    return f"{number_text(value)} {unit}".strip()


def _band_text(band: Mapping[str, Any], unit: str) -> str:
    bound_unit = unit.split("→")[0].strip()  # "万元 → 比例": bounds in 万元
    parts = []
    for name, inclusive, strict, loose in (("min", "min_inclusive", ">", "≥"),
                                           ("max", "max_inclusive", "<", "≤")):
        if name in band:
            edge = (percent_text(band[name]) if bound_unit == "比例"
                    else number_text(band[name]))
            default = name == "min"
            parts.append(f"{loose if band.get(inclusive, default) else strict}{edge}")
    where = "且".join(parts) or "任意"
    if bound_unit and bound_unit != "比例":
        where = f"{where} {bound_unit}"
    if "points" in band:
        points = band["points"]
        got = f"{points[0]}–{points[1]} 分" if isinstance(points, list) else f"{points} 分"
    elif "combine" in band:  # rd_test: intensity and amount, both (且) or either (或)
        word = "且" if band["combine"] == "all" else "或"
        got = (f"研发强度 ≥ {percent_text(band.get('rate'))} {word}"
               f"研发费用 ≥ {number_text(band.get('amount'))} 万元")
    elif "rate" in band:
        got = percent_text(band["rate"])
    else:
        got = f"{number_text(band.get('amount'))} 万元"
    return f"{where}：{got}"


def verdict_view(data: Mapping[str, Any], parameters: Sequence[Mapping[str, Any]] | None = None
                 ) -> VerdictView:
    """A verdict card from verdict JSON; ``parameters`` overrides its parameter list."""
    outcome = str(data.get("outcome"))
    score = data.get("score") or {}
    criteria = data.get("criteria") or []
    pass_mark = next((c.get("required") for c in criteria
                      if c.get("id") in ("innovation_score", "score_total")), None)
    score_text, parts = _score(score, pass_mark)
    direct = data.get("direct_pass")
    return VerdictView(
        rules=str(data.get("rules")), title=RULES_LABELS.get(str(data.get("rules")), ""),
        as_of=str(data.get("as_of")), outcome=outcome,
        outcome_label=OUTCOME_LABELS.get(outcome, outcome),
        badge=OUTCOME_BADGES.get(outcome, "text-bg-light"),
        criteria=[criterion_view(c) for c in criteria],
        score=score_text, score_parts=parts,
        direct_pass=DIRECT_PASS_LABELS.get(str(direct), str(direct)) if direct else "",
        parameters=parameter_views(parameters if parameters is not None
                                   else data.get("parameters") or []),
    )


def _score(score: Mapping[str, Any], pass_mark: Any) -> tuple[str, list[tuple[str, str]]]:
    need = ""
    if isinstance(pass_mark, str):  # "> 70": the mark states its own comparison
        need = f"（需 {pass_mark} 分）"
    elif pass_mark is not None:
        need = f"（需 ≥ {pass_mark} 分）"
    if "min" in score:
        text = (f"{score['min']} 分" if score["min"] == score["max"]
                else f"{score['min']}–{score['max']} 分")
        parts = [(SCORE_PARTS.get(name, name), value_text([p.get("min"), p.get("max")], unit="分"))
                 for name, p in (score.get("parts") or {}).items()]
        return f"创新能力评价 {text}{need}", parts
    if "total" in score:
        total = score.get("total")
        parts = [(SCORE_PARTS.get(k, k), "—" if v is None else f"{v} 分")
                 for k, v in score.items() if k != "total"]
        text = "—（数据不全）" if total is None else f"{total} 分"
        return f"评价得分 {text}{need}", parts
    return "", []
