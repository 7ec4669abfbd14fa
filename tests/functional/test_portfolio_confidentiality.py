"""The auth matrix for portfolio confidentiality: over pages, xlsx exports, the API and reports,
an advisor learns no hidden field of a firm in another advisor's portfolio — not as text, not by
a filter that keeps or drops the firm, not by a sort order. The public fields of every firm are
name, credit code, town and tier (``access.PUBLIC_FIELDS``); admins and leaders see everything,
which is checked too, so every probe is known to find what it looks for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from api_support import Api
from registry_support import quick_user

from cultivation.enterprises.credit_code import make_code
from cultivation.qualifications.models import Qualification
from cultivation.screening.services import run_screening
from cultivation.visits.models import Visit
from testkit import response_text

SECRET_INDUSTRY = "橡塑制品"  # only the secret firm has it
# Hidden fields of the other portfolio's firm, as they would read on a page, in a sheet or JSON.
MARKERS: dict[str, tuple[str, ...]] = {
    "address": ("秘密路88号",),
    "contact_person": ("秘密联系人",),
    "contact_phone": ("0576-13579246",),
    "contact_email": ("secret@hidden.example",),
    "notes": ("董事会秘密备注",),
    "registered_on": ("2003-07-19", "2003年7月19日"),
    "figures": ("98765.43", "98,765.43"),
    "qualification": ("ZJSECRET01", "2024-11-11", "2024年11月11日"),
    "visit": ("秘密走访记录", "2025-10-09", "2025年10月9日"),
}


def code(n: int) -> str:
    return make_code("91331024", f"{64000000 + n:08d}")


@pytest.fixture
def world(db_session, make_enterprise):
    me = quick_user(db_session, "advisor", display_name="甲指导员")
    them = quick_user(db_session, "advisor", display_name="乙指导员")
    admin = quick_user(db_session, "admin")
    leader = quick_user(db_session, "leader")
    mine = make_enterprise(credit_code=code(1), name="甲本人企业", advisor=me, tier="tech_sme",
                           industry="医药", figures={2025: {"employees": 9}})
    secret = make_enterprise(
        credit_code=code(2), name="乙保密企业", advisor=them, tier="hnte", town="白塔镇",
        industry=SECRET_INDUSTRY, registered_on=date(2003, 7, 19), address="秘密路88号",
        contact_person="秘密联系人", contact_phone="0576-13579246",
        contact_email="secret@hidden.example", notes="董事会秘密备注", above_scale=True,
        listed=True, figures={2025: {"total_revenue": 98765.43, "employees": 300,
                                     "tech_staff": 60, "rd_expense": 5000}})
    unassigned = make_enterprise(credit_code=code(3), name="丙未分配企业", industry="医药")
    db_session.add(Qualification(enterprise_id=secret.id, kind="zj_tech_sme",
                                 number="ZJSECRET01", valid_from=date(2024, 11, 11),
                                 valid_to=date(2099, 12, 31)))
    db_session.add(Visit(enterprise_id=secret.id, advisor_id=them.id,
                         visited_on=date(2025, 10, 9), notes="秘密走访记录"))
    db_session.flush()
    run_screening(db_session, as_of=date(2026, 6, 30), now=datetime(2026, 6, 30, tzinfo=UTC))
    return {"advisor": me, "them": them, "admin": admin, "leader": leader, "mine": mine,
            "secret": secret, "unassigned": unassigned}


class Viewer:
    """Pages as a logged-in user and the API with that user's token."""

    def __init__(self, client: Any, auth: Any, db_session: Any, user: Any) -> None:
        auth.login(user)
        self.client = client
        self.api = Api(client, db_session).as_user(user)

    def text(self, url: str) -> tuple[int, str]:
        if url.startswith("/api/v1"):
            response = self.api.get(url.removeprefix("/api/v1"))
        else:
            response = self.client.get(url)
        assert response.status_code < 500, url
        return response.status_code, response_text(response)


def _fill(url: str, w: dict[str, Any]) -> str:
    return url.format(secret=w["secret"].credit_code, them=w["them"].username,
                      industry=SECRET_INDUSTRY)


# Every route that shows firms (pages, xlsx, API, reports). None of them may show a marker to
# the advisor.
ROUTES = [
    "/",
    "/enterprises",
    "/enterprises?scope=all",
    "/enterprises?scope=all&sort=industry",
    "/enterprises?scope=all&sort=registered&desc=1",
    "/enterprises/{secret}",
    "/enterprises/{secret}/edit",
    "/enterprises/{secret}/activity",
    "/enterprises/{secret}/activity?page=2",
    "/enterprises/{secret}/figures/2025",
    "/screening/candidates",
    "/screening/candidates?scope=all",
    "/screening/candidates?scope=all&format=xlsx",
    "/screening/selftest?code={secret}",
    "/reports/funnel",
    "/reports/funnel?format=xlsx",
    "/reports/flows",
    "/reports/coverage",
    "/reports/coverage?kind=listed",
    "/reports/coverage?format=xlsx",
    "/reports/coverage?format=xlsx&table=summary",
    "/reports/coverage?format=xlsx&table=towns",
    "/reports/coverage?format=xlsx&table=advisors",
    "/reports/workload",
    "/reports/workload?format=xlsx",
    "/reports/workload?format=xlsx&table=stale",
    "/reports/targets",
    "/windows",
    "/imports/export/enterprises.xlsx",
    "/imports/export/figures.xlsx",
    "/imports/export/qualifications.xlsx",
    "/api/v1/enterprises",
    "/api/v1/enterprises?per_page=200",
    "/api/v1/enterprises/{secret}",
    "/api/v1/enterprises/{secret}/verdicts",
    "/api/v1/reports/funnel",
    "/api/v1/reports/coverage",
]

# Routes whose rows list firms: for the advisor the secret firm must not be there at all, because
# being listed says something hidden (industry, advisor, verdict, coverage gap, last visit).
ABSENT = [
    "/enterprises?scope=all&industry={industry}",
    "/enterprises?scope=all&advisor={them}",
    "/enterprises?scope=all&advisor=none",
    "/api/v1/enterprises?industry={industry}",
    "/api/v1/enterprises?advisor={them}",
    "/api/v1/enterprises?advisor=none",
    "/imports/export/enterprises.xlsx?industry={industry}",
    "/imports/export/enterprises.xlsx?advisor={them}",
    "/imports/export/enterprises.xlsx?advisor=none",
    "/imports/export/figures.xlsx",
    "/imports/export/qualifications.xlsx",
    # 国家科小: the secret firm holds a 高企 certificate to 2099, so it is no 高企 candidate at all.
    "/screening/candidates?rules=tech-sme",
    "/screening/candidates?rules=tech-sme&scope=all",
    "/screening/candidates?rules=tech-sme&scope=all&advisor={them}",
    "/screening/candidates?rules=tech-sme&scope=all&format=xlsx",
    "/reports/coverage",
    "/reports/coverage?kind=listed",
    "/reports/coverage?format=xlsx",
    "/reports/coverage?format=xlsx&kind=listed",
    "/reports/workload?format=xlsx&table=stale",
    "/api/v1/reports/coverage",
]

# Public fields stay public: the advisor finds the secret firm's name, code, town and tier here.
PUBLIC = [
    "/enterprises?scope=all",
    "/enterprises/{secret}",
    "/api/v1/enterprises",
    "/api/v1/enterprises/{secret}",
    "/imports/export/enterprises.xlsx",
]


@pytest.fixture
def viewer(client, auth, db_session, world):
    return lambda role: Viewer(client, auth, db_session, world[role])


@pytest.mark.parametrize("url", ROUTES)
def test_an_advisor_reads_no_hidden_field_of_another_portfolio(viewer, world, url):
    _, body = viewer("advisor").text(_fill(url, world))
    leaked = [(name, m) for name, ms in MARKERS.items() for m in ms if m in body]
    assert leaked == []


@pytest.mark.parametrize("url", ABSENT)
def test_an_advisor_cannot_find_the_firm_by_a_hidden_field(viewer, world, url):
    status, body = viewer("advisor").text(_fill(url, world))
    assert status == 200
    assert world["secret"].name not in body
    assert world["secret"].credit_code not in body
    assert world["unassigned"].name not in body  # "unassigned" is the advisor field too


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_the_probes_find_what_they_look_for(viewer, world, role):
    """Positive control: admins and leaders see every marker somewhere, and every ABSENT route
    lists the secret (or the unassigned) firm for them."""
    who = viewer(role)
    seen = " ".join(who.text(_fill(url, world))[1] for url in ROUTES)
    missing = [(name, ms) for name, ms in MARKERS.items() if not any(m in seen for m in ms)]
    assert missing == []
    for url in ABSENT:
        _, body = who.text(_fill(url, world))
        wanted = world["unassigned"] if "advisor=none" in url else world["secret"]
        assert wanted.credit_code in body, url


@pytest.mark.parametrize("url", PUBLIC)
def test_an_advisor_still_sees_the_public_fields(viewer, world, url):
    _, body = viewer("advisor").text(_fill(url, world))
    secret = world["secret"]
    assert secret.name in body
    assert secret.credit_code in body
    assert secret.town in body
    assert world["them"].display_name not in body  # the advisor is a detail
    assert world["them"].username not in body


@pytest.mark.parametrize("sort", ["industry", "registered", "updated", "code", "town"])
@pytest.mark.parametrize("desc", ["", "1"])
def test_a_sort_order_tells_nothing_about_hidden_fields(viewer, world, db_session,
                                                        make_enterprise, sort, desc):
    """Swapping two other-portfolio firms' hidden values leaves the advisor's order unchanged."""
    first = world["secret"]
    second = make_enterprise(credit_code=code(4), name="乙另一企业", advisor=world["them"],
                             industry="医药", registered_on=date(2019, 1, 1))
    who = viewer("advisor")
    page = f"/enterprises?scope=all&sort={sort}&desc={desc}"

    def page_order() -> list[tuple[int, str]]:
        body = who.text(page)[1]
        return sorted((body.index(f.credit_code), f.credit_code) for f in (first, second))

    before = page_order()
    first.industry, second.industry = second.industry, first.industry
    first.registered_on, second.registered_on = second.registered_on, first.registered_on
    db_session.flush()
    assert [c for _, c in page_order()] == [c for _, c in before]


def test_the_hidden_filter_still_works_within_the_own_portfolio(viewer, world):
    who = viewer("advisor")
    _, body = who.text("/enterprises?scope=all&industry=医药")
    assert world["mine"].name in body
    _, body = who.text(f"/enterprises?scope=all&advisor={world['advisor'].username}")
    assert world["mine"].name in body
