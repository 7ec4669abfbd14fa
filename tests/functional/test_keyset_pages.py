"""The firm list a page at a time through keyset cursors: every sort the page offers, both
directions, ties and blanks; no row twice and none skipped, even when a firm is added while
someone pages; forged cursors fall back to page 1 with a Chinese message; an advisor pages
through exactly their own firms."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cultivation.keyset import BAD_CURSOR
from testkit import pager_link, walk_pages

SORTS = ("name", "code", "town", "industry", "registered", "updated", "tier")
PER_PAGE = 3


def _codes(page: str) -> list[str]:
    return re.findall(r'<td class="font-monospace small">([0-9A-Z]{18})</td>', page)


@pytest.fixture(name="small_pages")
def small_pages_fixture(app: Any) -> Any:
    app.config["PER_PAGE"] = PER_PAGE
    yield
    app.config["PER_PAGE"] = 50


@pytest.fixture(name="crowd")
def crowd_fixture(world: Any, make_enterprise: Any, db_session: Any) -> list[Any]:
    """13 more firms with ties on every sort key and blanks in the nullable ones."""
    firms = []
    stamp = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    for n in range(13):
        firm = make_enterprise(
            name=f"仙居同名科技有限公司{n % 3}",  # three names, four or five firms each
            town=("白塔镇", "安洲街道")[n % 2],
            industry=None if n % 4 == 0 else ("医药", "机械")[n % 2],
            registered_on=None if n % 5 == 0 else date(2015 + n % 3, 3, 1),
            tier=(None, "startup", "tech_sme", "hnte")[n % 4],
            advisor=world.users["advisor_in"] if n % 2 else None,
        )
        firms.append(firm)
    db_session.flush()
    for n, firm in enumerate(firms):  # ties in the update time too
        firm.updated_at = stamp.replace(hour=8 + n % 2)
    db_session.flush()
    return firms


def _walk(client: Any, url: str, rel: str = "next") -> tuple[list[list[str]], str]:
    return walk_pages(client, url, _codes, rel, BAD_CURSOR)


@pytest.mark.parametrize("desc", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_paging_by_cursor_visits_every_firm_once_in_the_sort_order(
        as_role: Any, world: Any, crowd: Any, small_pages: Any, app: Any, sort: str,
        desc: bool) -> None:
    client = as_role("admin").client
    query = f"/enterprises?sort={sort}" + ("&desc=1" if desc else "")
    app.config["PER_PAGE"] = 100
    everything = _codes(client.get(query).get_data(as_text=True))
    app.config["PER_PAGE"] = PER_PAGE
    assert len(everything) == 15
    forward, last = _walk(client, query)
    assert [c for page in forward for c in page] == everything
    assert all(len(page) == PER_PAGE for page in forward[:-1])
    assert "第 5 页" in last
    # …and back from the last page through 上一页: the same pages in reverse.
    previous = pager_link(last, "prev")
    assert previous is not None
    backward, first = _walk(client, previous, rel="prev")
    assert backward == forward[-2::-1]
    assert "第 1 页" in first


def test_a_firm_added_while_paging_neither_repeats_nor_hides_a_row(
        as_role: Any, world: Any, crowd: Any, small_pages: Any, make_enterprise: Any) -> None:
    client = as_role("admin").client
    first = client.get("/enterprises").get_data(as_text=True)
    seen = _codes(first)
    make_enterprise(name="仙居一号排前科技有限公司")  # sorts before every firm on page 1
    rest, _ = _walk(client, pager_link(first, "next") or "")
    later = [c for page in rest for c in page]
    assert not set(seen) & set(later)  # OFFSET would show page 1's last firm again
    assert len(seen) + len(later) == 15


@pytest.mark.parametrize("mangle", [
    lambda token: "garbage",
    lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "abd"),  # bad signature
    lambda token: token.replace(".", "x.", 1),  # body changed, signature kept
    lambda token: "A" * 5000,
    lambda token: "%E4%B8%AD" + token,  # a Chinese character in front
])
def test_a_forged_or_garbled_cursor_gives_page_1_with_a_chinese_message(
        as_role: Any, world: Any, crowd: Any, small_pages: Any, mangle: Any) -> None:
    client = as_role("admin").client
    first = client.get("/enterprises").get_data(as_text=True)
    nxt = pager_link(first, "next") or ""
    token = re.search(r"cursor=([^&]+)", nxt).group(1)  # type: ignore[union-attr]
    response = client.get(f"/enterprises?cursor={mangle(token)}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert BAD_CURSOR in page
    assert _codes(page) == _codes(first)


def test_a_cursor_of_another_sort_or_filter_is_refused(as_role: Any, world: Any, crowd: Any,
                                                       small_pages: Any) -> None:
    client = as_role("admin").client
    by_name = client.get("/enterprises?sort=name").get_data(as_text=True)
    token = re.search(r"cursor=([^&]+)", pager_link(by_name, "next") or "").group(1)  # type: ignore[union-attr]
    for other in ("sort=town", "sort=name&desc=1", "sort=name&town=白塔镇", "sort=registered"):
        page = client.get(f"/enterprises?{other}&cursor={token}").get_data(as_text=True)
        assert BAD_CURSOR in page
        assert "第 1 页" in page


def test_an_advisor_pages_through_exactly_their_own_firms(as_role: Any, world: Any, crowd: Any,
                                                          small_pages: Any) -> None:
    from sqlalchemy import select

    from cultivation.enterprises.models import Enterprise
    from cultivation.extensions import db
    from cultivation.portfolios.models import PortfolioAssignment

    advisor = world.users["advisor_in"]
    mine = set(db.session.scalars(
        select(Enterprise.credit_code).join(PortfolioAssignment,
                                            PortfolioAssignment.enterprise_id == Enterprise.id)
        .where(PortfolioAssignment.advisor_id == advisor.id,
               PortfolioAssignment.ended_on.is_(None))))
    assert len(mine) == 7
    client = as_role("advisor_in").client
    for sort in ("name", "registered", "tier"):
        pages, _ = _walk(client, f"/enterprises?sort={sort}&desc=1")
        seen = [c for page in pages for c in page]
        assert sorted(seen) == sorted(mine)
    # In 全部企业, a sort on a detail pages through every firm once (others' dates hidden).
    pages, _ = _walk(client, "/enterprises?scope=all&sort=registered")
    seen = [c for page in pages for c in page]
    assert len(seen) == len(set(seen)) == 15
