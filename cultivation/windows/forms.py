"""The window form: renders the fields and carries the CSRF token; ``clean_window`` validates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from cultivation.enterprises.forms import options
from cultivation.windows.models import PROGRAMMES


class WindowForm(FlaskForm):
    programme = SelectField("申报项目", choices=options(PROGRAMMES), validate_choice=False)
    year = StringField("申报年度", description="留空则取开始日期的年份",
                       render_kw={"inputmode": "numeric"})
    batch = StringField("批次", description="如“第一批”“年度评价”")
    opens_on = StringField("开始日期", render_kw={"type": "date"})
    closes_on = StringField("截止日期", render_kw={"type": "date"})
    remind_days = StringField("提前提醒天数", default="30, 7, 1",
                              description="开始和截止前各提前几天提醒，用逗号分隔，如 30, 7, 1")
    issuer = StringField("发文机关", description="如“浙江省经济和信息化厅”")
    source = StringField("依据（通知名称与文号）")
    note = TextAreaField("备注", render_kw={"rows": 3})
    confirmed = BooleanField("日期已按当年正式通知核实")

