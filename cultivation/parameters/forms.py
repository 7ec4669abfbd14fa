"""Form of the 政策参数 admin page (input only: the value itself is checked by the service)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ParameterValueForm(FlaskForm):
    """A new dated value of one parameter."""

    valid_from = StringField(
        "生效日期", validators=[DataRequired("请填写生效日期")], render_kw={"type": "date"},
        description="从这一天起按新取值评估；此前仍按原取值",
    )
    value = TextAreaField(
        "取值", validators=[DataRequired("请填写取值")],
        render_kw={"rows": 7, "class": "font-monospace"},
        description="数值（比例写小数，如 0.05）；分段表写 JSON 或 YAML 列表，每段一行，"
                    "如 - {max: 5000, max_inclusive: true, rate: 0.05}",
    )
    source = StringField("来源（文号与文件标题）", validators=[
        DataRequired("请填写来源（文号与文件标题）"),
        Length(max=300, message="来源不超过300个字符"),
    ])
    note = TextAreaField("说明", render_kw={"rows": 2}, validators=[
        Optional(), Length(max=2000, message="说明不超过2000个字符"),
    ])
    confirmed = BooleanField("已与官方原文核对（不勾选则标为“待确认”）")
