"""What an audited change says on a firm's timeline: its kind, a Chinese verb phrase and one
short line of detail ("研发费用 120 → 150 万元", "高新技术企业 2023年12月1日 至 2026年11月30日",
"年度数据 文件 2025年报.xlsx"). Pure: works on the stored audit row (and, for a certificate
that was changed, the certificate's current kind and dates).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from cultivation.audit.queries import ACTIONS, ENTITIES, field_label
from cultivation.enterprises import schemas
from cultivation.enterprises.models import MONEY_FIELDS
from cultivation.qualifications.models import INSTITUTION_KINDS, QUALIFICATION_KINDS

IMPORT_KINDS = {"firms": "企业名录", "figures": "年度数据", "qualifications": "资质名单"}
FIGURE_UNITS = {"employees": "人", "tech_staff": "人", "ip_class_i": "件", "ip_class_ii": "件",
                "conversions": "项", **dict.fromkeys(MONEY_FIELDS, "万元")}
SHOWN = 2  # changes spelled out in the detail line; the rest are counted
CERTIFICATE_VERBS = {"create": "新增资质", "delete": "删除资质", "update": "修改资质"}
INSTITUTION_VERBS = {"create": "新增研发机构", "delete": "删除研发机构", "update": "修改研发机构"}
FIRM_VERBS = {"create": "登记企业", "update": "修改企业信息", "delete": "删除企业",
              "restore": "恢复企业"}


class AuditRow(Protocol):
    entity_type: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def day_text(value: Any) -> str:
    """"2026-06-30" → "2026年6月30日"; "—" when missing or unreadable."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return "—"
    return f"{day.year}年{day.month}月{day.day}日"


def number_text(value: Any) -> str:
    """120.0 → "120", 1234.5 → "1,234.5"; None → "（空）"."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _label(name: str) -> str:
    spec = schemas.FIGURES.get(name)
    return spec.label.split("（")[0] if spec else name


def figure_change_text(before: Mapping[str, Any], after: Mapping[str, Any], *,
                       created: bool) -> str:
    """"2025年度：研发费用 120 → 150 万元；职工总数 80 → 95 人 等 4 项"."""
    names = [k for k in after if k not in ("year", "source")]
    parts = []
    for name in names[:SHOWN]:
        unit = FIGURE_UNITS.get(name, "")
        new = number_text(after.get(name))
        text = f"{_label(name)} {new}" if created else \
            f"{_label(name)} {number_text(before.get(name))} → {new}"
        parts.append(f"{text} {unit}".rstrip())
    more = f" 等 {len(names)} 项" if len(names) > SHOWN else ""
    year = f"{after['year']}年度" if "year" in after else "年度数据"
    return f"{year}：{'；'.join(parts) or '数据来源'}{more}"


def certificate_text(values: Mapping[str, Any]) -> str:
    """"高新技术企业 2023年12月1日 至 2026年11月30日，编号 GR2023…"."""
    kind = str(values.get("kind") or "")
    label = (values.get("leading_kind") if kind == "leading" and values.get("leading_kind")
             else QUALIFICATION_KINDS.get(kind, kind or "资质"))
    end = day_text(values["valid_to"]) if values.get("valid_to") else "长期"
    text = f"{label} {day_text(values.get('valid_from'))} 至 {end}"
    return f"{text}，编号 {values['number']}" if values.get("number") else text


def _certificate(log: AuditRow, current: Mapping[str, Any] | None) -> tuple[str, str]:
    before, after = log.before or {}, log.after or {}
    if log.action == "create":
        return "新增资质", certificate_text(after)
    if log.action == "delete":
        return "删除资质", certificate_text(before)
    whole = {**(current or {}), **after}
    if after.get("status") == "revoked" or (after.get("revoked_on") and
                                            whole.get("status") == "revoked"):
        revoked = f"，{day_text(whole['revoked_on'])} 撤销" if whole.get("revoked_on") else ""
        return "撤销资质", certificate_text(whole) + revoked
    return "修改资质", certificate_text(whole)


def _changed_fields(log: AuditRow) -> str:
    keys = list((log.after or {}) or (log.before or {}))
    shown = "、".join(field_label(log.entity_type, k) for k in keys[:3])
    return shown + (f" 等 {len(keys)} 项" if len(keys) > 3 else "")


def describe(log: AuditRow, names: Mapping[int, str],
             certificates: Mapping[int, Mapping[str, Any]] | None = None,
             entity_id: int | None = None) -> tuple[str, str, str]:
    """(kind, what, detail) of an audit row on the timeline."""
    before, after, kind = log.before or {}, log.after or {}, log.entity_type
    if kind == "qualification":
        current = (certificates or {}).get(entity_id) if entity_id is not None else None
        what, detail = _certificate(log, current)
        return "certificate", what, detail
    if kind == "figures":
        created = log.action == "create"
        return ("figures", "录入年度数据" if created else "修改年度数据",
                figure_change_text(before, after, created=created))
    if kind == "import_batch":
        file = after.get("file") or "—"
        if log.action == "revert":
            return "import", "撤销导入", f"文件 {file}，回退 {after.get('changes', 0)} 项变更"
        counts = f"新增 {after.get('created', 0)}，修改 {after.get('updated', 0)}"
        return ("import", "导入", f"{IMPORT_KINDS.get(str(after.get('kind')), '数据')} "
                f"文件 {file}（{counts}）")
    if kind == "portfolio":
        def who(value: Any) -> str:
            return names.get(value, f"#{value}") if isinstance(value, int) else "未分配"
        return ("portfolio", "更换科技指导员",
                f"{who(before.get('advisor_id'))} → {who(after.get('advisor_id'))}")
    if kind == "institution":
        values = {**before, **after}
        label = INSTITUTION_KINDS.get(str(values.get("kind")), "研发机构")
        name = f" {values['name']}" if values.get("name") else ""
        return "institution", INSTITUTION_VERBS.get(log.action, "修改研发机构"), label + name
    if kind == "enterprise":
        return "firm", FIRM_VERBS.get(log.action, "修改企业信息"), _changed_fields(log)
    what = ACTIONS.get(log.action, log.action) + ENTITIES.get(kind, kind)
    title = after.get("title") if kind == "todo" else None
    return "other", what if kind != "todo" else "处理待办", str(title or _changed_fields(log))
