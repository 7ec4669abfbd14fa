"""Login and user-administration forms (input checks only, no policy)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class AccountForm(FlaskForm):
    email = EmailField("电子邮箱", validators=[Optional(), Email("电子邮箱格式不正确")])
    digest_opt_out = BooleanField("不接收定期摘要邮件（管理提醒仍会发送）")
    current_password = PasswordField("当前密码（修改密码时必填）")
    password = PasswordField(
        "新密码（留空不修改）", validators=[Optional(), Length(min=8, message="密码至少8位")]
    )
