"""The OpenAPI 3 document at /api/v1/openapi.json, built from the registered routes.

HOW TO DOCUMENT YOUR ROUTES (cultivation/api/<concept>.py): put ``@document(...)`` right under
``@bp.route(...)`` — once per HTTP method when one view serves several::

    from cultivation.api.openapi import document, param, ref, register_schema

    register_schema("Window", {"type": "object", "properties": {...}})

    @bp.route("/windows", methods=["GET", "POST"])
    @document("GET", "申报窗口列表", tag="windows", query=[param("year", "integer", "年度")],
              responses={200: ref("WindowList")})
    @document("POST", "新建申报窗口", tag="windows", body=ref("Window"),
              responses={201: ref("Window")}, errors=(403, 422))
    def windows(): ...

Path parameters are taken from the Flask rule (``<credit_code>`` → ``{credit_code}``,
``<int:year>`` → integer); give ``path_params={"credit_code": "描述"}`` only to describe them.
401 is added to every operation that needs a token; list the other error codes in ``errors``.
tests/functional/test_api_openapi.py fails for any /api/v1 rule and method without ``document``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue

from cultivation.api import bp
from cultivation.enterprises.schemas import Field

OPENAPI_ATTR = "_openapi_operations"
SCHEMAS: dict[str, dict[str, Any]] = {}
ERROR_TEXT = {
    400: "请求有误", 401: "缺少或无效的访问令牌", 403: "当前角色或联系企业范围不允许此操作",
    404: "记录不存在", 409: "版本冲突（数据已被他人修改）或数据冲突",
    422: "请求体或参数无效：errors 按字段列出中文原因",
}
_RULE_ARG = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def register_schema(name: str, schema: dict[str, Any]) -> None:
    """Add a reusable component schema (call at import time)."""
    SCHEMAS[name] = schema


def ref(name: str) -> dict[str, str]:
    """A $ref to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def param(name: str, type_: str = "string", description: str = "", *,
          required: bool = False, enum: Iterable[str] | None = None,
          minimum: int | None = None, maximum: int | None = None) -> dict[str, Any]:
    """A query parameter description."""
    schema: dict[str, Any] = {"type": type_}
    if enum is not None:
        schema["enum"] = list(enum)
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


def document(
    method: str, summary: str, *, tag: str, description: str = "",
    query: Iterable[dict[str, Any]] = (), body: dict[str, Any] | None = None,
    responses: Mapping[int, dict[str, Any] | None] | None = None,
    errors: Iterable[int] = (), path_params: Mapping[str, str] | None = None,
    public: bool = False,
) -> Callable[[Any], Any]:
    """Attach the OpenAPI description of one HTTP method to a view (returns the view itself)."""

    def attach(view: Any) -> Any:
        operations = view.__dict__.setdefault(OPENAPI_ATTR, {})
        operations[method.upper()] = {
            "summary": summary, "tag": tag, "description": description, "query": list(query),
            "body": body, "responses": dict(responses or {200: None}), "errors": tuple(errors),
            "path_params": dict(path_params or {}), "public": public,
        }
        return view

    return attach


def field_schema(fld: Field) -> dict[str, Any]:
    """JSON schema of one input field from its parser's JSON kind."""
    kind = fld.json_kind
    schema: dict[str, Any]
    if kind == "choice":
        schema = {"type": "string", "enum": list(fld.options)}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind in ("boolean", "integer", "number"):
        schema = {"type": kind}
    else:
        schema = {"type": "string"}
    schema["description"] = fld.label
    if not fld.required:
        schema["nullable"] = True
    return schema


def object_schema(fields: Mapping[str, Field], *, extra: Mapping[str, Any] | None = None,
                  required: Iterable[str] | None = None) -> dict[str, Any]:
    """An object schema from field specs (unknown properties are refused by the API)."""
    properties = {name: field_schema(fld) for name, fld in fields.items()}
    properties.update(extra or {})
    needed = (list(required) if required is not None
              else [n for n, f in fields.items() if f.required])
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    if needed:
        schema["required"] = needed
    return schema


register_schema("Error", {
    "type": "object", "required": ["message", "status"],
    "properties": {
        "message": {"type": "string", "description": "中文错误说明"},
        "status": {"type": "integer"},
        "errors": {"type": "object", "description": "字段 → 中文错误列表",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
})


def _operation(rule_args: list[tuple[str, str]], method: str,
               spec: dict[str, Any]) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True,
         "description": spec["path_params"].get(name, ""),
         "schema": {"type": "integer" if conv == "int" else "string"}}
        for conv, name in rule_args
    ] + spec["query"]
    responses: dict[str, Any] = {}
    for status, schema in spec["responses"].items():
        if status == 204 or schema is None and status != 200:
            responses[str(status)] = {"description": "成功"}
        else:
            responses[str(status)] = {"description": "成功", "content": {
                "application/json": {"schema": schema or {"type": "object"}}}}
    codes = set(spec["errors"]) | ({401} if not spec["public"] else set())
    if spec["body"] is not None:
        codes.add(422)
    for code in sorted(codes):
        responses[str(code)] = {"description": ERROR_TEXT.get(code, "错误"), "content": {
            "application/json": {"schema": ref("Error")}}}
    op: dict[str, Any] = {
        "operationId": f"{method.lower()}_{'_'.join(spec['summary_key'])}",
        "summary": spec["summary"], "tags": [spec["tag"]], "parameters": parameters,
        "responses": responses,
    }
    if spec["description"]:
        op["description"] = spec["description"]
    if spec["body"] is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": spec["body"]}}}
    if spec["public"]:
        op["security"] = []
    return op


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document for every documented /api/v1 route of ``app``."""
    paths: dict[str, dict[str, Any]] = {}
    prefix = bp.url_prefix or ""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix + "/"):
            continue
        view = app.view_functions.get(rule.endpoint)
        operations = getattr(view, OPENAPI_ATTR, {})
        args = [(m.group("conv") or "string", m.group("name"))
                for m in _RULE_ARG.finditer(rule.rule)]
        path = _RULE_ARG.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            spec = operations.get(method)
            if spec is None:
                continue  # undocumented: the OpenAPI test names it
            key = [p for p in re.split(r"[^a-zA-Z0-9]+", path.removeprefix(prefix)) if p]
            paths.setdefault(path, {})[method.lower()] = _operation(
                args, method, {**spec, "summary_key": key or ["root"]})
    return {
        "openapi": "3.0.3",
        "info": {"title": "梯次培育 API", "version": "1",
                 "description": "县科技局梯次培育系统的 JSON 接口。"
                                "所有请求需 Authorization: Bearer 令牌"
                                "（`cultivation users token 用户名` 生成）；金额单位为万元；"
                                "错误均为 JSON，含中文 message。"},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": dict(sorted(SCHEMAS.items())),
        },
    }


def documented_operations(app: Flask) -> set[tuple[str, str]]:
    """(path, METHOD) pairs that the document describes."""
    doc = build_document(app)
    return {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}


def undocumented(app: Flask) -> list[tuple[str, str]]:
    """(path, METHOD) of every /api/v1 route the document misses (the OpenAPI test asserts [])."""
    documented = documented_operations(app)
    prefix = (bp.url_prefix or "") + "/"
    missing = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            path = _RULE_ARG.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                if (path, method) not in documented:
                    missing.add((path, method))
    return sorted(missing)


@bp.route("/openapi.json")
@document("GET", "OpenAPI 文档（本文档）", tag="meta", public=True,
          responses={200: {"type": "object"}})
def openapi() -> ResponseReturnValue:
    return jsonify(build_document(current_app))
