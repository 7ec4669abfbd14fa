"""Login and user-administration forms (input checks only, no policy)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from cultivation.accounts.models import ROLES


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class UserForm(FlaskForm):
    username = StringField(
        "用户名",
        validators=[
            DataRequired("请输入用户名"),
            Length(max=50, message="用户名不超过50个字符"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和连字符"),
        ],
    )
    display_name = StringField(
        "姓名", validators=[DataRequired("请输入姓名"), Length(max=50, message="姓名不超过50个字符")]
    )
    email = EmailField("电子邮箱", validators=[Optional(), Email("电子邮箱格式不正确")])
    role = SelectField("角色", choices=list(ROLES.items()))
    password = PasswordField(
        "密码（新建必填；编辑时留空表示不修改）",
        validators=[Optional(), Length(min=8, message="密码至少8位")],
    )
    is_active = BooleanField("启用", default=True)


class AccountForm(FlaskForm):
    email = EmailField("电子邮箱", validators=[Optional(), Email("电子邮箱格式不正确")])
    digest_opt_out = BooleanField("不接收定期摘要邮件（管理提醒仍会发送）")
    password = PasswordField("新密码（留空不修改）", validators=[Optional(), Length(min=8, message="密码至少8位")])
