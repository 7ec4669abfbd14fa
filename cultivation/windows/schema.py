"""Input checks for an application window — one source for the API and the web form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from cultivation.enterprises.schemas import Errors, ValidationError
from cultivation.inputs import InputError, is_blank, parse_bool, parse_date, parse_number, text
from cultivation.windows.models import DEFAULT_REMIND_DAYS, PROGRAMMES

FIELDS = ("programme", "year", "batch", "opens_on", "closes_on", "remind_days", "note",
          "issuer", "source", "confirmed")
MAX_OFFSET = 366
READ_ONLY = ("id", "programme_label", "title", "csrf_token")  # echoed back by clients: ignored


def parse_remind_days(value: Any) -> list[int]:
    """[30, 7, 1] or '30, 7, 1' (also full-width commas) → distinct days, largest first."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,，、;；\s]+", value.strip()) if p]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise InputError("应为天数列表，例如 [30, 7, 1]")
    days: set[int] = set()
    for part in parts:
        if isinstance(part, bool):
            raise InputError("提醒天数应为整数")
        number = parse_number(part, integer=True)
        if number is None:
            continue
        if not 0 <= int(number) <= MAX_OFFSET:
            raise InputError(f"提醒天数应在 0 到 {MAX_OFFSET} 之间")
        days.add(int(number))
    return sorted(days, reverse=True)


def clean_window(raw: Mapping[str, Any], *, current: Mapping[str, Any] | None = None
                 ) -> dict[str, Any]:
    """Checked values for a new window (or, with ``current``, an edited one); raises
    ``ValidationError`` with Chinese messages per field. Unknown keys are refused."""
    errors: Errors = {}
    values: dict[str, Any] = dict(current or {})

    def attempt(field: str, parse: Any) -> None:
        if field not in raw:
            return
        try:
            values[field] = parse(raw[field])
        except InputError as exc:
            errors.setdefault(field, []).append(str(exc))

    unknown = [k for k in raw if k not in FIELDS and k not in READ_ONLY]
    for key in unknown:
        errors.setdefault(key, []).append("未知字段")
    attempt("programme", _programme)
    attempt("batch", _batch)
    attempt("opens_on", parse_date)
    attempt("closes_on", parse_date)
    attempt("remind_days", lambda v: DEFAULT_REMIND_DAYS if is_blank(v) else parse_remind_days(v))
    attempt("note", _note)
    attempt("issuer", lambda v: _short(v, 100, "发文机关"))
    attempt("source", lambda v: _short(v, 300, "依据（文号）"))
    attempt("confirmed", lambda v: bool(parse_bool(v)))
    attempt("year", _year)

    required = (("programme", "申报项目"), ("opens_on", "开始日期"), ("closes_on", "截止日期"))
    for field, label in required:
        if values.get(field) is None and field not in errors:
            errors.setdefault(field, []).append(f"请填写{label}")
    opens, closes = values.get("opens_on"), values.get("closes_on")
    if isinstance(opens, date) and isinstance(closes, date) and closes < opens:
        errors.setdefault("closes_on", []).append("截止日期不能早于开始日期")
    if errors:
        raise ValidationError(errors)
    values.setdefault("batch", "")
    values.setdefault("remind_days", list(DEFAULT_REMIND_DAYS))
    values.setdefault("confirmed", False)
    if values.get("year") is None:
        values["year"] = opens.year if isinstance(opens, date) else None
    return values


def _programme(value: Any) -> str:
    code = text(value)
    if code is None:
        raise InputError("请选择申报项目")
    if code not in PROGRAMMES:
        raise InputError(f"未知的申报项目“{code}”，可选：{'、'.join(PROGRAMMES)}")
    return code


def _year(value: Any) -> int | None:
    number = parse_number(value, integer=True)
    if number is None:
        return None
    if not 2000 <= int(number) <= 2100:
        raise InputError("年度应在 2000 到 2100 之间")
    return int(number)


def _batch(value: Any) -> str:
    batch = text(value) or ""
    if len(batch) > 50:
        raise InputError("批次名称不超过50个字符")
    return batch


def _short(value: Any, limit: int, label: str) -> str | None:
    result = text(value)
    if result is not None and len(result) > limit:
        raise InputError(f"{label}不超过{limit}个字符")
    return result


def _note(value: Any) -> str | None:
    note = text(value)
    if note is not None and len(note) > 1000:
        raise InputError("备注不超过1000个字符")
    return note
