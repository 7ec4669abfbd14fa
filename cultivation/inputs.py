"""Parsing values as Chinese offices type them: dates, numbers, yes/no.

Shared by the API, spreadsheet import and web forms; each parser raises ``InputError`` with a
Chinese message that the caller attaches to a field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "t"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "f"}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
MIN_YEAR, MAX_YEAR = 1900, 2999
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class InputError(ValueError):
    """A value that cannot be read; the message is Chinese and shown to the user."""


# NUL cannot be stored in PostgreSQL text; zero-width characters are invisible paste debris
# (they make two equal-looking names differ). Nothing else is removed from typed text.
_INVISIBLE = dict.fromkeys(map(ord, "\x00\u200b\u200c\u200d\u2060\ufeff"))
# ASCII punctuation that Chinese text usually types full-width (for matching both spellings).
_WIDE = str.maketrans({"(": "（", ")": "）", ",": "，", ";": "；", ":": "：", "!": "！", "?": "？"})


def text(value: Any) -> str | None:
    """Text exactly as typed: outer white space trimmed, NUL and zero-width characters dropped,
    nothing folded (a legal name must match its 营业执照 character for character); None for blank.
    Use ``folded`` for identifiers, numbers, dates and choice values."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).translate(_INVISIBLE).strip()
    return result or None


def folded(value: Any) -> str | None:
    """``text`` with full-width characters folded (NFKC): for identifiers, numbers, dates, header
    and choice matching, and for comparing names — never for what is stored as typed."""
    raw = text(value)
    if raw is None:
        return None
    return unicodedata.normalize("NFKC", raw).strip() or None


def spellings(value: str) -> list[str]:
    """The spellings under which a typed search term may be stored: as typed, folded (older rows
    were stored folded) and with Chinese full-width punctuation."""
    raw = text(value) or ""
    fold = folded(raw) or ""
    result = [raw]
    for variant in (fold, fold.translate(_WIDE)):
        if variant and variant not in result:
            result.append(variant)
    return result


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> date | None:
    """ISO, 2015年3月1日, 2015.3.1, 2015/3/1, or a date/datetime cell; None for blank.
    Years outside 1900–2999 are refused: a typo like 9999-12-31 overflowed date arithmetic."""
    day = _parse_date(value)
    if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InputError(f"日期“{day.isoformat()}”超出范围（应在 {MIN_YEAR}—{MAX_YEAR} 年之间）")
    return day


def _parse_date(value: Any) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 100000:
        if 1900 <= value <= 2100 and float(value).is_integer():
            # A bare year typed into a date column, not the serial of a day in 1905.
            raise InputError(f"“{int(value)}”只有年份，请填写完整日期，如 {int(value)}-03-01")
        # An Excel date serial in a cell formatted as a number (1900 date system).
        return date(1899, 12, 30) + timedelta(days=int(value))
    raw = folded(value) or ""
    match = _DATE_RE.match(raw)
    if match:
        y, m, d = (int(g) for g in match.groups())
        try:
            return date(y, m, d)
        except ValueError as exc:
            raise InputError(f"日期“{raw}”不存在") from exc
    if re.fullmatch(r"\d{8}", raw):
        try:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError as exc:
            raise InputError(f"日期“{raw}”不存在") from exc
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise InputError(f"无法识别的日期“{raw}”，请使用 2026-06-30 或 2026年6月30日 格式") from exc


def parse_number(value: Any, *, integer: bool = False) -> float | int | None:
    """Numbers, also '1,234.5', '１２３', '12.5万' is refused (unit must be 万元 already)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise InputError("应为数字")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError as exc:
            raise InputError("数值过大") from exc
    else:
        raw = (folded(value) or "").replace("，", ",").replace(" ", "")
        if raw.endswith("%"):
            raise InputError(f"“{raw}”应为数值，不带百分号")
        if "," in raw:
            if not _THOUSANDS_RE.match(raw):
                raise InputError(f"“{text(value)}”的千分位逗号位置不对（应每三位一个，如 1,234.5）")
            raw = raw.replace(",", "")
        if not _NUMBER_RE.match(raw):
            raise InputError(f"“{text(value)}”不是有效的数字")
        try:
            number = float(raw)
        except ValueError as exc:
            raise InputError(f"“{text(value)}”不是有效的数字") from exc
    if math.isnan(number) or math.isinf(number):
        raise InputError("不是有效的数字")
    if integer:
        if not number.is_integer():
            raise InputError(f"“{text(value)}”应为整数")
        return int(number)
    return number


def parse_bool(value: Any) -> bool | None:
    """是/否, yes/no, true/false, 1/0; None for blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    raw = (folded(value) or "").lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise InputError(f"“{text(value)}”应填“是”或“否”")
