"""Enterprise JSON of the API: output dicts, input parsing (strict types) and their schemas.

Input goes through ``enterprises.schemas.clean(strict=True)`` — the one source of field
validation — after refusing unknown and read-only keys, so every bad body is a 422 naming fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cultivation.api.auth import fail
from cultivation.api.openapi import field_schema, object_schema, ref, register_schema
from cultivation.audit.services import jsonable
from cultivation.enterprises import schemas
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.tiers import TIERS

SELF_KEYS = {
    "tech_advancement": "self_tech_advancement",
    "core_support": "self_core_support",
    "rd_management": "self_rd_management",
}
_SELF_COLUMNS = {column: f"self_assessment.{key}" for key, column in SELF_KEYS.items()}
FIRM_FIELDS = tuple(name for name in schemas.ENTERPRISE if name not in _SELF_COLUMNS)
READ_ONLY = ("tier", "figures", "qualifications", "institutions", "created_at", "updated_at",
             "restricted")
RESTRICTED_FIELDS = ("name", "credit_code", "town", "tier")


def enterprise_json(firm: Enterprise, *, tier: str, advisor: str | None) -> dict[str, Any]:
    """The full Enterprise JSON (without the nested lists)."""
    data = {name: jsonable(getattr(firm, name)) for name in FIRM_FIELDS}
    data["advisor"] = advisor
    data["self_assessment"] = {key: getattr(firm, column) for key, column in SELF_KEYS.items()}
    data.update(tier=tier, version=firm.version, restricted=False,
                created_at=jsonable(firm.created_at), updated_at=jsonable(firm.updated_at))
    return data


def restricted_json(firm: Enterprise, *, tier: str) -> dict[str, Any]:
    """What an advisor may see of a firm outside their portfolio: name, code, town, tier."""
    return {"name": firm.name, "credit_code": firm.credit_code, "town": firm.town, "tier": tier,
            "restricted": True}


def figures_json(row: FiscalYearFigures) -> dict[str, Any]:
    data: dict[str, Any] = {"year": row.year}
    data.update({name: getattr(row, name) for name in schemas.FIGURES})
    data["updated_at"] = jsonable(row.updated_at)
    return data


def qualification_json(qual: Qualification) -> dict[str, Any]:
    values = {name: jsonable(getattr(qual, name)) for name in schemas.QUALIFICATION}
    return {"id": qual.id, **values}


def institution_json(inst: RDInstitution) -> dict[str, Any]:
    return {"id": inst.id, **{name: jsonable(getattr(inst, name)) for name in schemas.INSTITUTION}}


def _refuse_keys(body: Mapping[str, Any], allowed: set[str], read_only: tuple[str, ...]) -> dict[
        str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key in body:
        if key in read_only:
            errors[str(key)] = ["只读字段，不能提交"]
        elif key not in allowed:
            errors[str(key)] = ["未知字段"]
    return errors


def _invalid(errors: dict[str, list[str]]) -> None:
    if errors:
        fail(422, "提交的数据有误：" + "；".join(f"{k} {'，'.join(v)}" for k, v in errors.items()),
             errors)


def enterprise_input(body: Mapping[str, Any], ctx: schemas.Context, *, partial: bool) -> tuple[
        dict[str, Any], dict[str, Any]]:
    """Cleaned firm values and the extras (``advisor``, ``version``) of a POST or PATCH body."""
    allowed = set(FIRM_FIELDS) | {"self_assessment", "advisor"}
    if partial:
        allowed.add("version")
    errors = _refuse_keys(body, allowed, READ_ONLY + (() if partial else ("version",)))
    raw = {k: v for k, v in body.items() if k in FIRM_FIELDS}
    assessment = body.get("self_assessment")
    if "self_assessment" in body:
        if assessment is None:
            raw.update(dict.fromkeys(SELF_KEYS.values()))
        elif not isinstance(assessment, dict):
            errors["self_assessment"] = [
                "应为对象：{tech_advancement, core_support, rd_management}"]
        else:
            for key, value in assessment.items():
                if key in SELF_KEYS:
                    raw[SELF_KEYS[key]] = value
                else:
                    errors[f"self_assessment.{key}"] = ["未知字段"]
    extras: dict[str, Any] = {}
    if "advisor" in body:
        advisor = body["advisor"]
        if advisor is not None and not isinstance(advisor, str):
            errors["advisor"] = ["应为科技指导员的用户名（字符串）或 null"]
        named = advisor.strip() if isinstance(advisor, str) else ""
        extras["advisor"] = named or None
    if partial:
        version = body.get("version")
        if "version" not in body:
            errors["version"] = ["请提供 version（读取时得到的版本号），用于防止覆盖他人修改"]
        elif isinstance(version, bool) or not isinstance(version, int):
            errors["version"] = ["应为整数"]
        else:
            extras["version"] = version
    values: dict[str, Any] = {}
    try:
        values = schemas.clean(schemas.ENTERPRISE, raw, ctx, partial=partial, strict=True)
    except schemas.ValidationError as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(_SELF_COLUMNS.get(key, key), []).extend(messages)
    _invalid(errors)
    return values, extras


def section_input(spec: Mapping[str, schemas.Field], body: Mapping[str, Any],
                  ctx: schemas.Context, *,
                  ignore: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Cleaned values of a figures / qualification / institution body (strict JSON types)."""
    errors = _refuse_keys({k: v for k, v in body.items() if k not in (ignore or {})}, set(spec),
                          ("id", "updated_at"))
    values: dict[str, Any] = {}
    try:
        values = schemas.clean(spec, {k: v for k, v in body.items() if k in spec}, ctx, strict=True)
    except schemas.ValidationError as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(key, []).extend(messages)
    _invalid(errors)
    return values


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


_SELF_SCHEMA = {
    "type": "object", "nullable": True, "additionalProperties": False,
    "description": "指导员对创新能力评价专家打分项的估计",
    "properties": {key: field_schema(schemas.ENTERPRISE[column])
                   for key, column in SELF_KEYS.items()},
}
_FIRM_SPEC = {name: schemas.ENTERPRISE[name] for name in FIRM_FIELDS}
_ADVISOR = {"type": "string", "nullable": True, "description": "科技指导员用户名（null = 未分配）"}
register_schema("EnterpriseInput", object_schema(
    _FIRM_SPEC, extra={"self_assessment": _SELF_SCHEMA, "advisor": _ADVISOR}))
register_schema("EnterprisePatch", object_schema(
    _FIRM_SPEC, required=["version"],
    extra={"self_assessment": _SELF_SCHEMA, "advisor": _ADVISOR,
           "version": {"type": "integer", "description": "读取时的版本号；过期则 409"}}))
_OUT_FIRM = {name: _nullable(field_schema(fld)) if not fld.required else field_schema(fld)
             for name, fld in _FIRM_SPEC.items()}
_TIER = {"type": "string", "enum": list(TIERS), "description": "今天的梯次（只读）"}
register_schema("Enterprise", {
    "type": "object",
    "properties": {**_OUT_FIRM, "advisor": _ADVISOR, "self_assessment": _SELF_SCHEMA,
                   "tier": _TIER, "version": {"type": "integer"},
                   "restricted": {"type": "boolean", "enum": [False]},
                   "created_at": {"type": "string", "format": "date-time"},
                   "updated_at": {"type": "string", "format": "date-time"}},
})
register_schema("EnterpriseRestricted", {
    "type": "object", "description": "指导员查看非本人联系企业时只返回名称、代码、乡镇和梯次",
    "properties": {"name": {"type": "string"}, "credit_code": {"type": "string"},
                   "town": {"type": "string"}, "tier": _TIER,
                   "restricted": {"type": "boolean", "enum": [True]}},
})
register_schema("FiguresInput", object_schema(schemas.FIGURES, extra={
    "year": {"type": "integer", "description": "可省略；如提供须与路径中的年度一致"}}))
register_schema("Figures", {"type": "object", "properties": {
    "year": {"type": "integer"},
    **{name: _nullable(field_schema(fld)) for name, fld in schemas.FIGURES.items()},
    "updated_at": {"type": "string", "format": "date-time"}}})
register_schema("QualificationInput", object_schema(schemas.QUALIFICATION))
register_schema("Qualification", {"type": "object", "properties": {
    "id": {"type": "integer"}, **{n: field_schema(f) for n, f in schemas.QUALIFICATION.items()}}})
register_schema("InstitutionInput", object_schema(schemas.INSTITUTION))
register_schema("Institution", {"type": "object", "properties": {
    "id": {"type": "integer"}, **{n: field_schema(f) for n, f in schemas.INSTITUTION.items()}}})
register_schema("EnterpriseDetail", {"allOf": [ref("Enterprise"), {"type": "object", "properties": {
    "figures": {"type": "array", "items": ref("Figures")},
    "qualifications": {"type": "array", "items": ref("Qualification")},
    "institutions": {"type": "array", "items": ref("Institution")}}}]})
NEXT_LINKS = {
    "next": {"type": "string", "nullable": True,
             "description": "下一页的链接（带 cursor；最后一页为 null）"},
    "next_cursor": {"type": "string", "nullable": True,
                    "description": "下一页的翻页游标，作为 cursor 参数传回（最后一页为 null）"},
}
register_schema("EnterpriseList", {"type": "object", "properties": {
    "items": {"type": "array",
              "items": {"oneOf": [ref("Enterprise"), ref("EnterpriseRestricted")]}},
    "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
    **NEXT_LINKS}})
