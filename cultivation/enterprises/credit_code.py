"""统一社会信用代码 (GB 32100-2015): normalise, validate, compute check characters.

Pure functions, no Flask or database.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
REGISTRATION_DEPARTMENTS = set("123456789ANY")


@dataclass(frozen=True)
class CreditCodeResult:
    """The outcome of checking one code: the normalised code, errors and warnings (Chinese)."""

    code: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors


def normalize(raw: str) -> str:
    """Strip all white space and invisible format characters (zero-width space, BOM), fold
    full-width characters to half-width, upper-case."""
    folded = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in folded
                   if not ch.isspace() and unicodedata.category(ch) != "Cf").upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in the alphabet)."""
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(org8: str) -> str:
    """The GB 11714 check character for the 8 body characters of an organisation code."""
    total = 0
    for ch, w in zip(org8, ORG_WEIGHTS, strict=True):
        value = int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
        total += value * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def validate(raw: str) -> CreditCodeResult:
    """Normalise and check a code; organisation-code mismatch is only a warning."""
    code = normalize(raw)
    if not code:
        return CreditCodeResult(code, ("请填写统一社会信用代码",))
    if len(code) != 18:
        return CreditCodeResult(code, (f"统一社会信用代码应为18位，实际为{len(code)}位",))
    bad = sorted({ch for ch in code if ch not in _VALUES})
    if bad:
        return CreditCodeResult(
            code, (f"统一社会信用代码含非法字符：{'、'.join(bad)}（不使用I、O、S、V、Z）",)
        )
    if code[0] not in REGISTRATION_DEPARTMENTS:
        return CreditCodeResult(code, (f"第1位登记管理部门代码“{code[0]}”无效",))
    expected = check_character(code[:17])
    if code[17] != expected:
        return CreditCodeResult(code, (f"统一社会信用代码校验位错误（第18位应为{expected}）",))
    warnings: list[str] = []
    org = code[8:17]
    if org_code_check(org[:8]) != org[8]:
        warnings.append("组织机构代码（第9-17位）校验位不符，请核对")
    return CreditCodeResult(code, (), tuple(warnings))


def make_code(prefix8: str, org8: str) -> str:
    """Build a valid code from registration/division prefix and organisation body (demo data)."""
    first17 = prefix8 + org8 + org_code_check(org8)
    return first17 + check_character(first17)
