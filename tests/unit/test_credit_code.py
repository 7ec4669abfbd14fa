"""统一社会信用代码: normalisation, check character, organisation-code warning."""

from __future__ import annotations

import pytest

from cultivation.enterprises.credit_code import (
    ALPHABET,
    check_character,
    make_code,
    normalize,
    org_code_check,
    validate,
)

# Published codes whose check characters are known to be right.
VALID_CODES = ["91350100M000100Y43", "91110000600037341L", "9111000071093465XC"]


@pytest.mark.parametrize("code", VALID_CODES)
def test_published_codes_validate_without_errors_or_warnings(code: str) -> None:
    result = validate(code)
    assert result.ok, result.errors
    assert result.code == code
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 91350100m000100y43 ", "91350100M000100Y43"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        ("9135 0100 M000 100Y 43", "91350100M000100Y43"),
        ("91350100M000100Y43\t\n", "91350100M000100Y43"),
        # pasted from web pages and Word: zero-width space, byte-order mark, LTR mark, NBSP
        ("\u200b91350100M000100Y43", "91350100M000100Y43"),
        ("\ufeff91350100M000100Y43\u200e", "91350100M000100Y43"),
        ("91350100\u00a0M000100Y43", "91350100M000100Y43"),
    ],
)
def test_codes_are_normalised_from_how_people_type_them(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert validate(raw).ok


@pytest.mark.parametrize(
    ("raw", "message_part"),
    [
        ("", "请填写"),
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y433", "18位"),
        ("91350100M000100Y44", "校验位错误（第18位应为3）"),
        ("91350100M000I00Y43", "非法字符"),
        ("Z1350100M000100Y43", "非法字符"),
        ("B1350100M000100Y43", "登记管理部门"),
    ],
)
def test_corrupted_codes_are_rejected_with_a_chinese_reason(raw: str, message_part: str) -> None:
    result = validate(raw)
    assert not result.ok
    assert message_part in result.errors[0]


def test_every_single_character_substitution_is_caught() -> None:
    code = VALID_CODES[0]
    for position in range(18):
        for ch in ALPHABET:
            if ch == code[position]:
                continue
            corrupted = code[:position] + ch + code[position + 1 :]
            assert not validate(corrupted).ok, corrupted


def test_check_character_follows_the_weights_of_gb_32100() -> None:
    # Recomputed by hand for the first published code.
    assert check_character("91350100M000100Y4") == "3"


def test_organisation_code_mismatch_is_a_warning_not_an_error() -> None:
    body = "70000001"
    good = make_code("91331024", body)
    assert validate(good).warnings == ()
    wrong_org_check = "0" if org_code_check(body) != "0" else "1"
    first17 = "91331024" + body + wrong_org_check
    code = first17 + check_character(first17)
    result = validate(code)
    assert result.ok
    assert any("组织机构代码" in w for w in result.warnings)


def test_make_code_builds_codes_that_validate() -> None:
    for n in range(50):
        assert validate(make_code("91331024", f"{12345600 + n:08d}")).ok
