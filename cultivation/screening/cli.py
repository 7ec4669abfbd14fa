"""``cultivation assess RULES --facts FILE.json [--as-of DATE]``: one verdict as JSON on stdout.

The as-of date is ``--as-of``, else the facts' ``as_of`` field, else today (configured zone).
Parameters come from the database (seeded on first use); when the database cannot be read the
bundled seed parameters are used and a note goes to stderr. Every problem is a Chinese message
on stderr and a non-zero exit: 2 for a bad rule-set name or date, 1 for the facts file.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import NoReturn

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from cultivation.extensions import db
from cultivation.parameters.services import parameter_table, seed_table
from cultivation.policy import (
    FactsError,
    ParameterError,
    ParameterTable,
    UnknownRuleSet,
    evaluate,
    facts_from_json,
    normalise_rules_name,
    verdict_to_json,
)
from cultivation.web import clock
from cultivation.web.settings import app_settings


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def _read_facts(path: str) -> object:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"无法读取事实文件“{path}”：{getattr(exc, 'strerror', None) or exc}")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = f"（第 {exc.lineno} 行第 {exc.colno} 列）"
        _fail(f"事实文件“{path}”不是有效的 JSON{where}")


def _parameters() -> ParameterTable:
    try:
        table = parameter_table(db.session, parameter_dir=app_settings().parameter_dir)
        db.session.commit()  # keeps lazily seeded rows
        return table
    except SQLAlchemyError:
        db.session.rollback()
        click.echo("提示：无法读取数据库中的政策参数，使用内置参数（YAML 种子）", err=True)
        return seed_table(app_settings().parameter_dir)


@click.command("assess", help="按规则集评估一家企业：事实 JSON 输入，结论 JSON 输出")
@click.argument("rules")
@click.option("--facts", "facts_path", required=True, metavar="FILE.json",
              help="事实 JSON 文件（- 表示标准输入）")
@click.option("--as-of", "as_of_text", default=None, metavar="YYYY-MM-DD",
              help="评估日期（默认取事实中的 as_of，否则为今天）")
@with_appcontext
def assess_command(rules: str, facts_path: str, as_of_text: str | None) -> None:
    try:
        name = normalise_rules_name(rules)
    except UnknownRuleSet as exc:
        _fail(str(exc), 2)
    as_of: date | None = None
    if as_of_text is not None:
        try:
            as_of = date.fromisoformat(as_of_text.strip())
        except ValueError:
            _fail(f"--as-of 应为 YYYY-MM-DD 格式的日期，收到“{as_of_text}”", 2)
    try:
        facts = facts_from_json(_read_facts(facts_path))
    except FactsError as exc:
        lines = [f"  {field}：{'；'.join(messages)}" for field, messages in exc.errors.items()]
        _fail("事实数据有误：\n" + "\n".join(lines))
    day = as_of or facts.as_of or clock.today()
    try:
        verdict = evaluate(name, facts, day, _parameters())
    except ParameterError as exc:
        _fail(f"政策参数不可用：{exc}")
    click.echo(json.dumps(verdict_to_json(verdict), ensure_ascii=False, indent=2))


commands = [assess_command]
