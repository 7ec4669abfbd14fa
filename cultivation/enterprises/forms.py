"""Web forms of the registry.

Field names are the API's JSON names. The forms only render and collect input: validation is
``schemas.clean`` (the one source shared with the API and the import), whose Chinese messages
are attached to the matching fields so they show next to the input.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from cultivation.enterprises import schemas
from cultivation.enterprises.models import FIGURE_SOURCES, MONEY_FIELDS
from cultivation.policy.rules.hnte import TECH_DOMAINS
from cultivation.policy.sectors import SECTORS
from cultivation.regions import Region


def options(pairs: Mapping[str, str] | list[tuple[str, str]] | tuple[str, ...],
            blank: str | None = None) -> list[SelectChoice]:
    """Select options from a code → label mapping, (value, label) pairs or plain values."""
    if isinstance(pairs, Mapping):
        items = list(pairs.items())
    else:
        items = [p if isinstance(p, tuple) else (p, p) for p in pairs]
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(value, label) for value, label in items]


YES_NO_UNKNOWN = [("", "未知"), ("1", "是"), ("0", "否")]


class Marked:
    """A no-op validator that only flags a field as required (the asterisk in the template)."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        """Nothing: ``schemas.clean`` decides."""


def field_label(spec: Mapping[str, schemas.Field], name: str) -> str:
    return spec[name].label


def _validators(spec: Mapping[str, schemas.Field], name: str) -> list[Any]:
    return [Marked()] if spec[name].required else []


def text_field(spec: Mapping[str, schemas.Field], name: str, **kw: Any) -> StringField:
    return StringField(field_label(spec, name), _validators(spec, name), **kw)


def date_field(spec: Mapping[str, schemas.Field], name: str) -> StringField:
    return StringField(field_label(spec, name), _validators(spec, name), render_kw={"type": "date"})


def number_field(
    spec: Mapping[str, schemas.Field], name: str, mode: str = "decimal"
) -> StringField:
    return StringField(field_label(spec, name), _validators(spec, name),
                       render_kw={"inputmode": mode})


def choice_field(spec: Mapping[str, schemas.Field], name: str,
           choices: Mapping[str, str] | tuple[str, ...] = (), blank: str = "请选择") -> SelectField:
    return SelectField(field_label(spec, name), _validators(spec, name),
                       choices=options(choices, blank), validate_choice=False)


def yes_no_field(spec: Mapping[str, schemas.Field], name: str) -> SelectField:
    return SelectField(field_label(spec, name), choices=options(YES_NO_UNKNOWN),
                       validate_choice=False)


def form_value(value: Any) -> Any:
    """A stored value as the form shows it: dates ISO, booleans 1/0, numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


class SchemaForm(FlaskForm):
    """A form whose fields mirror a ``schemas`` spec and whose validation is ``schemas.clean``."""

    spec: ClassVar[Mapping[str, schemas.Field]] = {}
    checkboxes: ClassVar[tuple[str, ...]] = ()  # BooleanFields: their data must be a real bool

    @classmethod
    def initial(cls, obj: Any, **extra: Any) -> dict[str, Any]:
        """Form data for an existing record (the form's ``data=`` argument)."""
        values = {
            name: bool(getattr(obj, name, False)) if name in cls.checkboxes
            else form_value(getattr(obj, name, None))
            for name in cls.spec
        }
        return {**values, **extra}

    def spec_fields(self) -> list[Field]:
        return [self[name] for name in self.spec if name in self]

    def raw(self) -> dict[str, Any]:
        """The submitted values keyed by spec name, as ``schemas.clean`` expects them."""
        return {f.name: f.data for f in self.spec_fields()}

    def clean(self, ctx: schemas.Context) -> dict[str, Any] | None:
        """Cleaned values, or None with Chinese errors attached to the fields."""
        self.validate()
        try:
            values = schemas.clean(self.spec, self.raw(), ctx)
        except schemas.ValidationError as exc:
            self.attach(exc.errors)
            return None
        return None if self.errors else values

    def attach(self, errors: Mapping[str, list[str]]) -> None:
        """Put errors on their fields (unknown field names become form-level errors)."""
        for name, messages in errors.items():
            target = self._fields.get(name)
            if target is None:
                self.form_errors.extend(messages)
                continue
            if not isinstance(target.errors, list):
                target.errors = list(target.errors)
            target.errors.extend(m for m in messages if m not in target.errors)


E = schemas.ENTERPRISE


class EnterpriseForm(SchemaForm):
    """新增/编辑企业; ``advisor`` (admins only) and ``version`` are outside the schema."""

    spec = E
    checkboxes = ("above_scale", "listed")
    name = text_field(E, "name")
    credit_code = text_field(E, "credit_code", render_kw={"autocomplete": "off"})
    town = choice_field(E, "town")
    industry = choice_field(E, "industry")
    tech_domain = choice_field(E, "tech_domain", TECH_DOMAINS)
    sector = choice_field(E, "sector", SECTORS)
    registered_on = date_field(E, "registered_on")
    above_scale = BooleanField(field_label(E, "above_scale"))
    listed = BooleanField(field_label(E, "listed"))
    address = text_field(E, "address")
    contact_person = text_field(E, "contact_person")
    contact_phone = text_field(E, "contact_phone")
    contact_email = text_field(E, "contact_email", render_kw={"type": "email"})
    core_ip_owned = yes_no_field(E, "core_ip_owned")
    ip_self_developed = yes_no_field(E, "ip_self_developed")
    led_standard = yes_no_field(E, "led_standard")
    major_incident_last_year = yes_no_field(E, "major_incident_last_year")
    national_award_5y = yes_no_field(E, "national_award_5y")
    self_tech_advancement = number_field(E, "self_tech_advancement", "numeric")
    self_core_support = number_field(E, "self_core_support", "numeric")
    self_rd_management = number_field(E, "self_rd_management", "numeric")
    provincial_innovation_score = number_field(E, "provincial_innovation_score")
    notes = TextAreaField(field_label(E, "notes"), render_kw={"rows": 3})
    advisor = SelectField("科技指导员", choices=options([], "（不分配）"), validate_choice=False)
    version = HiddenField()

    PROFILE = ("name", "credit_code", "town", "industry", "tech_domain", "sector",
               "registered_on", "above_scale", "listed")
    CONTACT = ("address", "contact_person", "contact_phone", "contact_email")
    ASSESSMENT = ("core_ip_owned", "ip_self_developed", "led_standard",
                  "major_incident_last_year", "national_award_5y", "self_tech_advancement",
                  "self_core_support", "self_rd_management", "provincial_innovation_score")

    def set_region(self, region: Region) -> None:
        """Town and industry options come from the configured county."""
        self.town.choices = options(region.towns, "请选择")
        self.industry.choices = options(region.industries, "请选择")


F = schemas.FIGURES


class FiguresForm(SchemaForm):
    """One fiscal year's figures (the year is in the URL)."""

    spec = F
    employees = number_field(F, "employees", "numeric")
    tech_staff = number_field(F, "tech_staff", "numeric")
    sales_revenue = number_field(F, "sales_revenue")
    total_revenue = number_field(F, "total_revenue")
    high_tech_revenue = number_field(F, "high_tech_revenue")
    rd_expense = number_field(F, "rd_expense")
    rd_expense_domestic = number_field(F, "rd_expense_domestic")
    total_cost = number_field(F, "total_cost")
    total_assets = number_field(F, "total_assets")
    net_assets = number_field(F, "net_assets")
    ip_class_i = number_field(F, "ip_class_i", "numeric")
    ip_class_ii = number_field(F, "ip_class_ii", "numeric")
    conversions = number_field(F, "conversions", "numeric")
    source = SelectField(field_label(F, "source"), choices=options(FIGURE_SOURCES),
                         validate_choice=False, default="self")

    MONEY = MONEY_FIELDS
