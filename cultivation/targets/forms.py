"""Admin forms on the targets page: add a plan, set a target, enter a hand-counted actual.

Input checks only; whether a town exists or an indicator may be split is the service's call.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from cultivation.inputs import InputError, parse_number
from cultivation.reports.indicators import INDICATORS, MANUAL
from cultivation.reports.models import SCOPE_KINDS


def plan_choices(plans: list[tuple[str, str]]) -> list[SelectChoice]:
    """Select options for the plan field: (code, name) pairs."""
    return [SelectChoice(code, name) for code, name in plans]


class NumberField(StringField):  # type: ignore[misc]
    """A number typed as offices type it (1,234.5; full-width digits); Chinese errors."""

    integer = False

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_data = valuelist
        self.data = None
        try:
            self.data = parse_number(valuelist[0] if valuelist else None, integer=self.integer)
        except InputError as exc:
            raise ValueError(str(exc)) from exc

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{self.data:g}"


class YearField(NumberField):
    """A four-digit year."""

    integer = True


def _max(n: int) -> Length:
    return Length(max=n, message=f"不超过{n}个字符")


def _year() -> list[Any]:
    return [InputRequired("请填写年份"), NumberRange(1949, 2200, "年份应在1949—2200之间")]


class PlanForm(FlaskForm):  # type: ignore[misc]
    code = StringField("规划代码", validators=[
        DataRequired("请填写规划代码"), Length(max=20, message="不超过20个字符"),
        Regexp(r"^[A-Za-z0-9_-]+$", message="只能包含字母、数字、下划线和连字符")],
        description="如 15th")
    name = StringField("规划名称", validators=[DataRequired("请填写规划名称"),
                                           Length(max=100, message="不超过100个字符")])
    start_year = YearField("开始年份", validators=_year())
    end_year = YearField("结束年份", validators=_year())
    baseline_year = YearField("基期年份", validators=_year(), description="通常为开始年份的前一年")
    source = StringField("来源文件", validators=[Optional(), _max(300)])


class TargetForm(FlaskForm):  # type: ignore[misc]
    plan = SelectField("规划", choices=[], validators=[DataRequired("请选择规划")])
    indicator = SelectField("指标",
                            choices=[SelectChoice(c, i.label) for c, i in INDICATORS.items()])
    scope_kind = SelectField("分解口径", default="county",
                             choices=[SelectChoice(k, v) for k, v in SCOPE_KINDS.items()])
    scope_value = StringField("乡镇 / 产业 / 指导员用户名",
                              validators=[Optional(), Length(max=100, message="不超过100个字符")],
                              description="全县目标留空")
    year = YearField("年份", validators=_year(), description="基期年份的值即基期值")
    value = NumberField("目标值", validators=[Optional()],
                        description="以文字表述的目标可留空并填写说明")
    note = StringField("说明", validators=[Optional(), Length(max=200, message="不超过200个字符")])


class ManualActualForm(FlaskForm):  # type: ignore[misc]
    indicator = SelectField("指标", choices=[SelectChoice(i.code, f"{i.label}（{i.unit}）")
                                             for i in MANUAL])
    year = YearField("年份", validators=_year())
    value = NumberField("实际值", validators=[InputRequired("请填写实际值")])
    note = StringField("来源 / 说明", validators=[Optional(), _max(300)],
                       description="如：统计公报、统计局提供")
