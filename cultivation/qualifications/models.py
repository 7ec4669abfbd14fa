"""Qualifications (certificates with validity) and R&D institutions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db

if TYPE_CHECKING:
    from cultivation.enterprises.models import Enterprise

QUALIFICATION_KINDS = {
    "startup": "县科技型初创企业",
    "zj_tech_sme": "浙江省科技型中小企业",
    "tech_sme": "国家科技型中小企业入库",
    "hnte": "高新技术企业",
    "leading": "创新型领军企业",
}
QUALIFICATION_STATUSES = {"valid": "有效", "expired": "已到期", "revoked": "已撤销"}

INSTITUTION_KINDS = {
    "provincial_key_institute": "省重点企业研究院",
    "provincial_institute": "省级企业研究院",
    "provincial_hnte_center": "省级高新技术企业研究开发中心",
    "municipal_hnte_center": "市级高新技术研究开发中心",
    "tech_center": "企业技术中心",
    "engineering_center": "工程技术研究中心",
    "key_lab": "重点实验室",
    "academician_station": "院士工作站",
    "postdoc_station": "博士后工作站",
    "in_house": "企业自建研发机构",
}
INSTITUTION_LEVELS = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
}


class Qualification(db.Model):  # type: ignore[name-defined]
    """A certificate or list entry valid from ``valid_from`` through ``valid_to`` (inclusive)."""

    __tablename__ = "qualifications"
    __table_args__ = (
        Index("ix_qualifications_kind_validity", "kind", "valid_from", "valid_to"),
        # "a newer certificate of the same kind for this firm" (renewals, expiry reminders)
        Index("ix_qualifications_firm_kind_from", "enterprise_id", "kind", "valid_from"),
        # Certificates that start or end between two screening runs' days (screening.carry).
        Index("ix_qualifications_valid_from", "valid_from"),
        Index("ix_qualifications_valid_to", "valid_to"),
        Index("ix_qualifications_revoked_on", "revoked_on",
              postgresql_where=text("revoked_on IS NOT NULL"),
              sqlite_where=text("revoked_on IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(60))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="valid")
    revoked_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    # For kind "leading": which 领军-tier list it is (a LeadingKind label an admin added).
    leading_kind: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    enterprise: Mapped[Enterprise] = relationship(back_populates="qualifications")

    @property
    def kind_label(self) -> str:
        if self.kind == "leading" and self.leading_kind:
            return self.leading_kind
        return QUALIFICATION_KINDS.get(self.kind, self.kind)

    def status_on(self, day: date) -> str:
        """valid / expired / revoked / pending as of ``day`` (display only)."""
        if self.status == "revoked" and (self.revoked_on is None or self.revoked_on <= day):
            return "revoked"
        if day < self.valid_from:
            return "pending"
        if self.valid_to is not None and day > self.valid_to:
            return "expired"
        return "valid"


class LeadingKind(db.Model):  # type: ignore[name-defined]
    """A qualification kind of the 领军 tier added by an administrator (no code change): e.g.
    浙江省科技领军企业 or 科技小巨人企业 besides the built-in 创新型领军企业. A qualification of
    such a kind is stored with ``kind = "leading"`` and this label, so it gives the 领军 tier."""

    __tablename__ = "leading_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100), unique=True)
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RDInstitution(db.Model):  # type: ignore[name-defined]
    """An R&D institution recognised for a firm (研究院, 研发中心, 技术中心…)."""

    __tablename__ = "rd_institutions"
    __table_args__ = (
        Index("ix_rd_institutions_kind_dates", "kind", "recognized_on", "revoked_on"),
        # Institutions recognised or revoked between two screening runs' days (screening.carry).
        Index("ix_rd_institutions_recognized_on", "recognized_on"),
        Index("ix_rd_institutions_revoked_on", "revoked_on",
              postgresql_where=text("revoked_on IS NOT NULL"),
              sqlite_where=text("revoked_on IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    level: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    recognized_on: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    enterprise: Mapped[Enterprise] = relationship(back_populates="institutions")

    @property
    def kind_label(self) -> str:
        label = INSTITUTION_KINDS.get(self.kind, self.kind)
        if self.level and self.kind == "tech_center":
            return f"{INSTITUTION_LEVELS.get(self.level, self.level)}{label}"
        return label


OPEN_END = date(9999, 12, 31)
"""``TierSpan.valid_to`` of a span that still holds (inputs stop at 2999)."""


COUNTED_SPANS = "rank > 0 AND firm_deleted_at IS NULL"
"""The spans ``ix_tier_spans_counted`` holds: a tier (not "none") of a firm not deleted."""


class TierSpan(db.Model):  # type: ignore[name-defined]
    """One interval of constant tier of a firm, ``valid_from`` through ``valid_to`` inclusive.

    Maintained from the firm's qualifications in the transaction that writes them
    (``qualifications.spans``); the same intervals as the pure ``tiers.tier_history``, the
    trailing "none" after a lapse included. ``prev_rank`` is the tier rank just before
    ``valid_from`` (0 for the first span) and ``entered_by`` how that change came about:
    ``up`` (a higher tier began), ``lapsed`` or ``revoked`` (the previous tier ended).

    ``firm_registered_on`` and ``firm_deleted_at`` carry the firm's registration date and
    soft-deletion time on each of its spans (rewritten with the spans whenever either changes),
    so county counts on a day read the spans alone: the spans of live firms are one range of
    ``ix_tier_spans_counted`` for every day of a report (``reports.tiersql``).
    """

    __tablename__ = "tier_spans"
    __table_args__ = (
        # a firm's span containing day D (joins from enterprises), covering
        Index("ix_tier_spans_firm_day", "enterprise_id", "valid_to", "valid_from", "rank"),
        # every span containing day D (counts), covering
        Index("ix_tier_spans_on_day", "valid_to", "valid_from", "rank", "enterprise_id"),
        # the tier spans (rank > 0) of live firms on day D (county tier counts), covering;
        # ``reports.tiersql`` repeats the WHERE terms literally (SQLite matches them by text)
        Index("ix_tier_spans_counted", "valid_to", "valid_from", "firm_registered_on", "rank",
              "firm_deleted_at", postgresql_where=text(COUNTED_SPANS),
              sqlite_where=text(COUNTED_SPANS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(SmallInteger)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    prev_rank: Mapped[int] = mapped_column(SmallInteger)
    entered_by: Mapped[str] = mapped_column(String(10))
    firm_registered_on: Mapped[date | None] = mapped_column(Date)
    firm_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
