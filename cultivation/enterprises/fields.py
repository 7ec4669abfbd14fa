"""The machinery of the field specifications (``schemas``): ``Field``, the parsers, ``clean``.

``clean(spec, raw, partial=...)`` returns cleaned values or raises ``ValidationError`` whose
``errors`` map field → [Chinese messages]. Policy (eligibility) is not checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from cultivation.enterprises.credit_code import validate as validate_code
from cultivation.inputs import InputError, parse_bool, parse_date, parse_number, text
from cultivation.regions import Region

Errors = dict[str, list[str]]

# The JSON type of each parser (for strict API input and the OpenAPI document): parser → (type,
# enum options). Types: string, choice, date, boolean, integer, number.
PARSER_KINDS: dict[Callable[..., Any], tuple[str, tuple[str, ...]]] = {}
MAX_COUNT = 2_000_000_000  # fits a 32-bit INTEGER column
MAX_MONEY = 1e13  # 万元; Money is NUMERIC(16, 2)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_Parser = TypeVar("_Parser", bound=Callable[..., Any])


def _typed(kind: str, options: tuple[str, ...] = ()) -> Callable[[_Parser], _Parser]:
    def register(parser: _Parser) -> _Parser:
        PARSER_KINDS[parser] = (kind, options)
        return parser

    return register


class ValidationError(ValueError):
    """Field-level errors in Chinese; nothing was saved."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(f"{k}: {'，'.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Field:
    """One input field: label, parser, whether required, extra check."""

    label: str
    parse: Callable[[Any, Context], Any]
    required: bool = False
    check: Callable[[Any, Context], str | None] | None = None

    @property
    def json_kind(self) -> str:
        """string, choice, date, boolean, integer or number."""
        return PARSER_KINDS.get(self.parse, ("string", ()))[0]

    @property
    def options(self) -> tuple[str, ...]:
        """Allowed codes of a choice field."""
        return PARSER_KINDS.get(self.parse, ("string", ()))[1]


@dataclass
class Context:
    """What parsers need beyond the value: the region and today (for 'not in the future')."""

    region: Region
    today: date
    warnings: dict[str, list[str]] = field(default_factory=dict)
    leading_kinds: tuple[str, ...] = ()  # 领军-tier kinds an admin added (LeadingKind labels)


def _text(max_len: int) -> Callable[[Any, Context], str | None]:
    def parse(value: Any, ctx: Context) -> str | None:
        result = text(value)
        if result is not None and len(result) > max_len:
            raise InputError(f"不超过{max_len}个字符")
        return result

    return _typed("string")(parse)


def _choice(
    options: Mapping[str, str] | tuple[str, ...], what: str
) -> Callable[[Any, Context], str | None]:
    labels = dict(options) if isinstance(options, Mapping) else {o: o for o in options}
    by_label = {v: k for k, v in labels.items()}

    def parse(value: Any, ctx: Context) -> str | None:
        raw = text(value)
        if raw is None:
            return None
        if raw in labels:
            return raw
        if raw in by_label:
            return by_label[raw]
        raise InputError(f"未知的{what}“{raw}”，可选：{'、'.join(labels.values())}")

    return _typed("choice", tuple(labels))(parse)


@_typed("date")
def _date(value: Any, ctx: Context) -> date | None:
    return parse_date(value)


@_typed("date")
def _past_date(value: Any, ctx: Context) -> date | None:
    result = parse_date(value)
    if result is not None and result > ctx.today:
        raise InputError("日期不能晚于今天")
    return result


@_typed("boolean")
def _bool(value: Any, ctx: Context) -> bool | None:
    return parse_bool(value)


@_typed("integer")
def _count(value: Any, ctx: Context) -> int | None:
    result = parse_number(value, integer=True)
    if result is not None and result < 0:
        raise InputError("不能为负数")
    if result is not None and result > MAX_COUNT:
        raise InputError("数值过大")
    return None if result is None else int(result)


@_typed("number")
def _money(value: Any, ctx: Context) -> float | None:
    result = parse_number(value)
    if result is not None and result < 0:
        raise InputError("金额不能为负数")
    if result is not None and result >= MAX_MONEY:
        raise InputError("金额过大（单位为万元）")
    return None if result is None else round(float(result), 2)


@_typed("number")
def _score_100(value: Any, ctx: Context) -> float | None:
    result = parse_number(value)
    if result is not None and not 0 <= result <= 100:
        raise InputError("应为 0–100 的分数")
    return None if result is None else round(float(result), 2)


@_typed("number")
def _signed_money(value: Any, ctx: Context) -> float | None:
    result = parse_number(value)
    if result is not None and abs(result) >= MAX_MONEY:
        raise InputError("金额过大（单位为万元）")
    return None if result is None else round(float(result), 2)


def _points(maximum: int) -> Callable[[Any, Context], int | None]:
    def parse(value: Any, ctx: Context) -> int | None:
        result = parse_number(value, integer=True)
        if result is not None and not 0 <= result <= maximum:
            raise InputError(f"应为 0–{maximum} 的整数")
        return None if result is None else int(result)

    return _typed("integer")(parse)


@_typed("string")
def _credit_code(value: Any, ctx: Context) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    result = validate_code(raw)
    if not result.ok:
        raise InputError(result.errors[0])
    if result.warnings:
        ctx.warnings.setdefault("credit_code", []).extend(result.warnings)
    return result.code


@_typed("string")
def _town(value: Any, ctx: Context) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    town = ctx.region.match_town(raw)
    if town is None:
        raise InputError(f"未知的乡镇（街道）“{raw}”")
    return town


@_typed("string")
def _industry(value: Any, ctx: Context) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    industry = ctx.region.match_industry(raw)
    if industry is None:
        raise InputError(f"未知的产业“{raw}”，可选：{'、'.join(ctx.region.industries)}")
    return industry


@_typed("string")
def _leading_kind(value: Any, ctx: Context) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    if raw not in ctx.leading_kinds:
        choices = "、".join(ctx.leading_kinds) or "（尚未配置，请管理员在“领军类型”中添加）"
        raise InputError(f"未知的领军类型“{raw}”，可选：{choices}")
    return raw


@_typed("string")
def _email(value: Any, ctx: Context) -> str | None:
    raw = text(value)
    if raw is not None and ("@" not in raw or "." not in raw.split("@")[-1] or " " in raw):
        raise InputError("电子邮箱格式不正确")
    if raw is not None and len(raw) > 200:
        raise InputError("不超过200个字符")
    return raw


@_typed("integer")
def _year(value: Any, ctx: Context) -> int | None:
    result = parse_number(value, integer=True)
    if result is not None and not 1949 <= result <= ctx.today.year:
        raise InputError(f"年度应在 1949–{ctx.today.year} 之间")
    return None if result is None else int(result)


def clean(
    spec: Mapping[str, Field],
    raw: Mapping[str, Any],
    ctx: Context,
    *,
    partial: bool = False,
    strict: bool = False,
) -> dict[str, Any]:
    """Parse every field of ``spec`` present in ``raw``; ``partial`` skips absent required ones.

    ``strict`` (JSON input) also requires each value's JSON type: a number for a number, true or
    false for a yes/no field, an ISO date string for a date. Unknown keys are ignored here
    (callers decide whether they are an error).
    """
    errors: Errors = {}
    cleaned: dict[str, Any] = {}
    for name, fld in spec.items():
        if name not in raw:
            if fld.required and not partial:
                errors[name] = [f"请填写{fld.label}"]
            continue
        problem = json_type_error(fld, raw[name]) if strict else None
        if problem:
            errors[name] = [problem]
            continue
        try:
            value = fld.parse(raw[name], ctx)
        except InputError as exc:
            errors[name] = [str(exc)]
            continue
        if value is None and fld.required:
            errors[name] = [f"请填写{fld.label}"]
            continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def json_type_error(fld: Field, value: Any) -> str | None:
    """Why ``value`` has the wrong JSON type for ``fld`` (None when it is fine or null)."""
    if value is None:
        return None
    kind = fld.json_kind
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean" and not isinstance(value, bool):
        return "应为 true 或 false"
    if kind == "integer" and not (is_number and (isinstance(value, int) or value.is_integer())):
        return "应为整数"
    if kind == "number" and not is_number:
        return "应为数字"
    if kind == "date" and not (isinstance(value, str) and _ISO_DATE.match(value.strip())):
        return "应为 YYYY-MM-DD 格式的日期字符串"
    if kind in ("string", "choice") and not isinstance(value, str):
        return "应为字符串"
    return None


def check_dates(values: Mapping[str, Any], start: str, end: str, message: str) -> Errors:
    a, b = values.get(start), values.get(end)
    if a is not None and b is not None and b < a:
        return {end: [message]}
    return {}
