"""Fixtures for the web-page tests: a small world with every role and a firm with full records.

Import the fixtures into a test module under their function names (so the ``world`` and
``as_role`` arguments shadow nothing): ``from registry_support import world_fixture``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from cultivation.accounts.models import User
from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.models import Qualification
from cultivation.visits.models import Visit
from testkit import TEST_PASSWORD, csrf_from

ROLES = ("admin", "leader", "advisor_in", "advisor_out", "anonymous")

# Things only a firm's own advisor (and admin/leader) may see on its page.
SECRETS = {
    "contact": "0576-88886666",
    "notes": "董事长计划明年扩建研发楼",
    "visit": "走访时了解到研发费用辅助账尚未建立",
    "money": "12,345.60",
    "person": "陈联络",
}


# scrypt (werkzeug's default) costs ~0.3 s per hash; these tests log in hundreds of times.
FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")
_numbers = count(1)


def quick_user(session: Session, role: str, **overrides: Any) -> User:
    """A user whose password is TEST_PASSWORD, hashed cheaply."""
    n = next(_numbers)
    user = User(username=overrides.pop("username", f"web{role}{n}"),
                display_name=overrides.pop("display_name", f"{role}用户{n}"),
                role=role, password_hash=FAST_HASH, **overrides)
    session.add(user)
    session.flush()
    return user


@dataclass
class World:
    """Users of every role; ``firm`` is in ``advisor_in``'s portfolio, ``other`` in nobody's."""

    users: dict[str, User]
    firm: Enterprise
    other: Enterprise
    qualification: Qualification

    def user(self, role: str) -> User | None:
        return self.users.get(role)


@pytest.fixture(name="world")
def world_fixture(db_session: Session, make_enterprise: Any) -> World:
    users = {
        "admin": quick_user(db_session, "admin"),
        "leader": quick_user(db_session, "leader"),
        "advisor_in": quick_user(db_session, "advisor", display_name="本企业指导员"),
        "advisor_out": quick_user(db_session, "advisor", display_name="其他指导员"),
    }
    firm = make_enterprise(
        tier="hnte", advisor=users["advisor_in"], name="仙居测试制药有限公司",
        contact_phone=SECRETS["contact"], contact_person=SECRETS["person"],
        notes=SECRETS["notes"], town="白塔镇",
        figures={2024: {"employees": 120, "tech_staff": 20, "sales_revenue": 12345.6,
                        "total_revenue": 13000, "rd_expense": 600}},
    )
    db_session.add(Visit(enterprise_id=firm.id, advisor_id=users["advisor_in"].id,
                         visited_on=date(2026, 3, 2), notes=SECRETS["visit"],
                         next_follow_up_on=date(2026, 4, 1)))
    other = make_enterprise(tier="tech_sme", name="仙居无人联系科技有限公司")
    db_session.flush()
    qualification = db_session.scalars(
        select(Qualification).where(Qualification.enterprise_id == firm.id)).one()
    return World(users, firm, other, qualification)


class Browser:
    """The test client acting as one role (``anonymous`` = not logged in)."""

    def __init__(self, client: Any, auth: Any, world: World, role: str) -> None:
        self.client = client
        self.role = role
        self.world = world
        user = world.user(role)
        if user is not None:
            auth.login(user)

    def token(self) -> str:
        """A valid CSRF token for this session (from a page every visitor may open)."""
        page = self.client.get("/login" if self.role == "anonymous" else "/enterprises")
        return csrf_from(page.get_data(as_text=True))

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token()}, **kwargs)


@pytest.fixture(name="as_role")
def as_role_fixture(client: Any, auth: Any, world: World) -> Any:
    """``as_role("leader")`` → a Browser logged in as that role."""
    return lambda role: Browser(client, auth, world, role)


def count_rows(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0
