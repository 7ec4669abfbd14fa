"""梯次看板: a column per tier for the user's portfolio (admins and leaders any scope), the
list's filters, and a card move that asks for a certificate instead of changing a tier."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from cultivation.qualifications.models import Qualification
from cultivation.qualifications.tiers import TIERS


def _column(html: str, tier: str) -> str:
    start = html.index(f'data-board-column="{tier}"')
    end = html.find("data-board-column=", start + 20)
    return html[start:end if end > 0 else len(html)]


def test_an_advisor_sees_the_own_portfolio_by_tier(
        auth: Any, client: Any, make_user: Any, make_enterprise: Any) -> None:
    advisor = make_user("advisor")
    hnte = make_enterprise(advisor=advisor, tier="hnte", name="仙居看板高企有限公司")
    none = make_enterprise(advisor=advisor, name="仙居看板未入梯有限公司")
    other = make_enterprise(advisor=make_user("advisor"), tier="hnte", name="仙居别人的高企")
    auth.login(advisor)
    html = client.get("/board").get_data(as_text=True)
    assert [t for t in TIERS if f'data-board-column="{t}"' in html] == list(TIERS)
    assert hnte.name in _column(html, "hnte")
    assert none.name in _column(html, "none")
    assert other.name not in html
    assert re.search(r'column-count">1 家', _column(html, "hnte"))


def test_admins_and_leaders_see_any_scope_with_the_list_filters(
        auth: Any, client: Any, make_user: Any, make_enterprise: Any) -> None:
    a, b = make_user("advisor"), make_user("advisor")
    first = make_enterprise(advisor=a, tier="startup", town="安洲街道", name="仙居看板甲")
    second = make_enterprise(advisor=b, tier="startup", town="福应街道", name="仙居看板乙")
    for role in ("admin", "leader"):
        auth.login(role)
        html = client.get("/board").get_data(as_text=True)
        assert first.name in _column(html, "startup")
        assert second.name in _column(html, "startup")
        html = client.get("/board?town=福应街道").get_data(as_text=True)
        assert first.name not in html
        assert second.name in html
        html = client.get(f"/board?advisor={a.username}").get_data(as_text=True)
        assert first.name in html
        assert second.name not in html
        auth.logout()


def test_a_card_move_opens_the_certificate_form_and_changes_nothing(
        auth: Any, client: Any, db_session: Any, make_user: Any, make_enterprise: Any) -> None:
    advisor = make_user("advisor")
    firm = make_enterprise(advisor=advisor, tier="startup")
    auth.login(advisor)
    html = client.get("/board").get_data(as_text=True)
    url = f"/enterprises/{firm.credit_code}/qualifications/new"
    assert f'data-qualification-url="{url}"' in html
    before = db_session.scalar(select(func.count()).select_from(Qualification))
    page = client.get(f"{url}?kind=hnte&from=board").get_data(as_text=True)
    assert '<option selected value="hnte">' in page or 'value="hnte" selected' in page
    assert "不会直接改变梯次" in page
    assert db_session.scalar(select(func.count()).select_from(Qualification)) == before


def _run(db_session: Any, as_of: Any, rows: list[tuple[Any, str, str, str | None]], *,
         finished: bool = True) -> None:
    from datetime import UTC, datetime

    from cultivation.screening.models import Evaluation, ScreeningRun

    run = ScreeningRun(as_of=as_of, firms=len(rows), evaluations=len(rows),
                       finished_at=datetime(2026, 6, 1, tzinfo=UTC) if finished else None)
    db_session.add(run)
    db_session.flush()
    for firm, rules, outcome, application in rows:
        db_session.add(Evaluation(run_id=run.id, enterprise_id=firm.id, rules=rules, as_of=as_of,
                                  outcome=outcome, details={"criteria": []}, failed=[],
                                  application=application))
    db_session.flush()


def _card(html: str, firm: Any) -> str:
    start = html.index(f'data-board-card="{firm.credit_code}"')
    return html[start:html.index("</li>", start)]


def test_cards_show_the_candidacy_of_the_latest_finished_run(
        auth: Any, client: Any, db_session: Any, make_user: Any, make_enterprise: Any) -> None:
    from datetime import date

    from reports_support import count_statements

    advisor = make_user("advisor")
    renewing = make_enterprise(advisor=advisor, tier="hnte", name="仙居看板重新认定")
    holder = make_enterprise(advisor=advisor, tier="hnte", name="仙居看板持证")
    dropped = make_enterprise(advisor=advisor, name="仙居看板已退出")
    _run(db_session, date(2026, 5, 1), [(dropped, "hnte", "eligible", "first")])
    _run(db_session, date(2026, 6, 1), [
        (renewing, "zj-tech-sme", "borderline", "first"), (renewing, "hnte", "eligible", "renewal"),
        (renewing, "tech-sme", "ineligible", "first"), (holder, "hnte", "eligible", "holder"),
        (dropped, "hnte", "ineligible", "first")])
    _run(db_session, date(2026, 6, 2), [(holder, "hnte", "eligible", "first")], finished=False)
    auth.login(advisor)
    html = client.get("/board").get_data(as_text=True)
    card = _card(html, renewing)
    assert re.findall(r'data-rules="([\w-]+)" data-application="(\w+)"', card) == [
        ("hnte", "renewal"), ("zj-tech-sme", "first")]
    assert "高企 重新认定" in card
    assert "省科小 首次申报" in card
    assert "下次跟进" in card or "暂无待跟进" in card
    assert 'class="candidacy"' not in _card(html, holder)  # holds it beyond the horizon
    assert 'class="candidacy"' not in _card(html, dropped)  # only the latest finished run counts
    with count_statements() as few:
        client.get("/board")
    extra = [make_enterprise(advisor=advisor, name=f"仙居看板新增{n}") for n in range(6)]
    _run(db_session, date(2026, 6, 3), [(f, "hnte", "eligible", "first") for f in extra])
    with count_statements() as many:
        client.get("/board")
    assert many.count == few.count  # one query for every card's candidacy
