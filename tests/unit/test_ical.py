"""The iCalendar writer: escaping, folding at 75 octets without breaking UTF-8, all-day events."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cultivation.windows.ical import CalendarEvent, build_calendar, escape_text, fold


def test_text_values_escape_commas_semicolons_backslashes_and_newlines() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_a_chinese_character() -> None:
    line = "SUMMARY:" + "高新技术企业认定" * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_a_calendar_has_one_all_day_event_per_entry_with_stable_uids() -> None:
    text = build_calendar(
        [CalendarEvent("window-1-close", date(2026, 6, 25), "【截止】高企认定 第一批", "说明", "http://x/w")],
        name="日历", domain="example.test", now=datetime(2026, 5, 1, 1, 2, 3, tzinfo=UTC),
        timezone="Asia/Shanghai",
    )
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "UID:window-1-close@example.test" in text
    assert "DTSTART;VALUE=DATE:20260625\r\n" in text
    assert "DTEND;VALUE=DATE:20260626\r\n" in text
    assert "DTSTAMP:20260501T010203Z" in text
    assert text.count("BEGIN:VEVENT") == 1
