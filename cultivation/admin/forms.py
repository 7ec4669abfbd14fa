"""Forms of the admin pages (input checks only; rules such as "keep one admin" are services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from cultivation.accounts.models import ROLES
from cultivation.enterprises.forms import options

_USERNAME = [
    DataRequired("请输入用户名"),
    Length(max=50, message="用户名不超过50个字符"),
    Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和连字符"),
]


class UserEditForm(FlaskForm):
    """Change a user: name, e-mail, role, active flag, optional new password."""

    display_name = StringField(
        "姓名",
        validators=[DataRequired("请输入姓名"), Length(max=50, message="姓名不超过50个字符")],
    )
    email = EmailField("电子邮箱", validators=[Optional(), Email("电子邮箱格式不正确"),
                                               Length(max=200, message="电子邮箱过长")])
    role = SelectField("角色", choices=options(ROLES), validate_choice=True,
                       invalid_choice_message="请选择有效的角色")
    is_active = BooleanField("启用（停用后无法登录，API 令牌也随之失效）")
    password = PasswordField(
        "重置密码（留空表示不修改）",
        validators=[Optional(), Length(min=8, message="密码至少8位")],
    )


class UserCreateForm(UserEditForm):
    """A new user; the password is required."""

    username = StringField("用户名", validators=_USERNAME)
    password = PasswordField(
        "初始密码",
        validators=[DataRequired("请设置初始密码"), Length(min=8, message="密码至少8位")],
    )
    is_active = BooleanField("启用", default=True)
