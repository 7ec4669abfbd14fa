"""行业门类 for SME sizing (工信部联企业〔2011〕300号《中小企业划型标准规定》第四条).

The codes are part of the Facts JSON and of the enterprise record (``sector``); the lines
themselves are dated parameters ``zj_tech_sme.sme.<code>.<measure>_below``.
"""

from __future__ import annotations

SECTORS: dict[str, str] = {
    "agriculture": "农、林、牧、渔业",
    "industry": "工业",
    "construction": "建筑业",
    "wholesale": "批发业",
    "retail": "零售业",
    "transport": "交通运输业",
    "warehousing": "仓储业",
    "postal": "邮政业",
    "accommodation": "住宿业",
    "catering": "餐饮业",
    "information_transmission": "信息传输业",
    "software_it": "软件和信息技术服务业",
    "real_estate": "房地产开发经营",
    "property_management": "物业管理",
    "leasing_business": "租赁和商务服务业",
    "other": "其他未列明行业",
}
# What each sector's line measures (the order the criterion lists them in).
SME_MEASURES: dict[str, str] = {
    "employees": "从业人员",
    "revenue": "营业收入",
    "assets": "资产总额",
}

# The measures each sector's line uses (300号 第四条): a firm is 中小微型 when any is below.
SME_LINES: dict[str, tuple[str, ...]] = {
    "agriculture": ("revenue",),
    "industry": ("employees", "revenue"),
    "construction": ("revenue", "assets"),
    "wholesale": ("employees", "revenue"),
    "retail": ("employees", "revenue"),
    "transport": ("employees", "revenue"),
    "warehousing": ("employees", "revenue"),
    "postal": ("employees", "revenue"),
    "accommodation": ("employees", "revenue"),
    "catering": ("employees", "revenue"),
    "information_transmission": ("employees", "revenue"),
    "software_it": ("employees", "revenue"),
    "real_estate": ("revenue", "assets"),
    "property_management": ("employees", "revenue"),
    "leasing_business": ("employees", "assets"),
    "other": ("employees",),
}


def sector_label(code: str | None) -> str:
    """The Chinese name of a sector code ('' when unknown)."""
    return SECTORS.get(code or "", "")


def read_sector(raw: object) -> tuple[str | None, str | None]:
    """(code, None) for a known sector code (or None), else (None, the Chinese error)."""
    if raw is None:
        return None, None
    if not isinstance(raw, str) or raw.strip() not in SECTORS:
        return None, "必须是行业门类代码之一：" + "、".join(SECTORS)
    return raw.strip(), None
