"""The 培育库 a page at a time through keyset cursors: outcome groups and equal gaps (ties) are
crossed without a row twice or a row skipped, forwards and back; the stored counts agree with
a live count (also after a firm is deleted); a forged cursor gives page 1 with a Chinese
message; an advisor pages through their own firms only."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from screening_support import AS_OF, STRONG_FIELDS, four_firms, strong_years

from cultivation.accounts.access import EVERYTHING
from cultivation.keyset import BAD_CURSOR
from cultivation.screening.listing import _tallies, candidates
from cultivation.screening.queries import CandidateFilters, latest_run
from cultivation.screening.services import run_screening
from testkit import pager_link, walk_pages

NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)
PER_PAGE = 2


def _codes(page: str) -> list[str]:
    return re.findall(r'<tr data-firm="([0-9A-Z]{18})"', page)


@pytest.fixture(name="crowded")
def crowded_fixture(db_session: Any, make_enterprise: Any, make_user: Any, app: Any) -> Any:
    """Two copies of the four reference firms (so every outcome has a tie) for the advisor,
    three strong firms of nobody (equal gaps), one screening run; two rows a page."""
    advisor = make_user("advisor")
    firms = list(four_firms(make_enterprise, advisor=advisor).values())
    firms += list(four_firms(make_enterprise, advisor=advisor).values())
    others = [make_enterprise(town="白塔镇", figures=strong_years(), **STRONG_FIELDS)
              for _ in range(3)]
    run_screening(db_session, as_of=AS_OF, now=NOW)
    app.config["PER_PAGE"] = PER_PAGE
    yield advisor, firms, others
    app.config["PER_PAGE"] = 50


def _walk(client: Any, url: str, rel: str = "next") -> tuple[list[list[str]], str]:
    return walk_pages(client, url, _codes, rel, BAD_CURSOR)


@pytest.mark.parametrize("query", ["", "outcome=ineligible", "application=first",
                                   "town=白塔镇"])
def test_paging_the_candidates_by_cursor_visits_every_row_once_in_rank_order(
        auth: Any, client: Any, crowded: Any, app: Any, query: str) -> None:
    auth.login("admin")
    url = "/screening/candidates?" + query
    app.config["PER_PAGE"] = 100
    everything = _codes(client.get(url).get_data(as_text=True))
    app.config["PER_PAGE"] = PER_PAGE
    assert everything
    forward, last = _walk(client, url)
    assert [c for page in forward for c in page] == everything
    previous = pager_link(last, "prev")
    if len(forward) > 1:
        assert previous is not None
        backward, _ = _walk(client, previous, rel="prev")
        assert backward == forward[-2::-1]


def test_a_forged_candidate_cursor_gives_page_1_with_a_chinese_message(
        auth: Any, client: Any, crowded: Any) -> None:
    auth.login("admin")
    first = client.get("/screening/candidates").get_data(as_text=True)
    token = re.search(r"cursor=([^&]+)", pager_link(first, "next") or "").group(1)  # type: ignore[union-attr]
    for bad in ("garbage", token[:-2] + "zz", token.replace(".", "A.", 1)):
        response = client.get(f"/screening/candidates?cursor={bad}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert BAD_CURSOR in page
        assert _codes(page) == _codes(first)
    # A cursor of another list (another programme) is refused the same way.
    page = client.get(f"/screening/candidates?rules=tech-sme&cursor={token}")
    assert BAD_CURSOR in page.get_data(as_text=True)


def test_an_advisor_pages_through_their_own_candidates_only(auth: Any, client: Any,
                                                           crowded: Any) -> None:
    advisor, firms, others = crowded
    auth.login(advisor)
    pages, _ = _walk(client, "/screening/candidates")
    seen = [c for page in pages for c in page]
    assert sorted(seen) == sorted(f.credit_code for f in firms)
    assert not {o.credit_code for o in others} & set(seen)


def test_stored_counts_agree_with_a_live_count_also_after_a_deletion(
        db_session: Any, crowded: Any) -> None:
    _, firms, _ = crowded
    run = latest_run(db_session)
    assert run is not None
    assert "listed" in (run.summary or {})
    for rules in ("hnte", "tech-sme", "zj-tech-sme"):
        filters = CandidateFilters(rules=rules)
        stored = candidates(db_session, filters, scope=EVERYTHING, page=1, per_page=2)
        live = sorted(_tallies(db_session, run, filters, EVERYTHING))
        assert stored.total == sum(t[-1] for t in live)
    firms[0].deleted_at = NOW
    db_session.flush()
    after = candidates(db_session, CandidateFilters(), scope=EVERYTHING, page=1, per_page=2)
    assert after.total == sum(t[-1] for t in _tallies(db_session, run, CandidateFilters(),
                                                         EVERYTHING))
    assert after.total == stored_total_before(db_session, run) - 1


def stored_total_before(db_session: Any, run: Any) -> int:
    return sum(int(t[-1]) for t in run.summary["listed"]["hnte"])
