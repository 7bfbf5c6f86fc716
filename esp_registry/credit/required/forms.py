"""The requirement form (national admins) and the overdue list's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from esp_registry.catalog.manage_forms import MultiCheckboxField
from esp_registry.credit.required.models import RenewalKind
from esp_registry.form_fields import (
    OUT_OF_RANGE,
    TOO_LONG,
    FiniteDecimalField,
    WholeNumberField,
    record_id_choice,
)

KIND_CHOICES = [
    (RenewalKind.EXPIRY.value, _l("A certificate that expires")),
    (RenewalKind.HOURS.value, _l("Hours every calendar year")),
]


class RequirementForm(FlaskForm):
    program = SelectField(
        _l("Program"),
        coerce=record_id_choice,
        validators=[DataRequired(message=_l("Choose a program from the list."))],
        validate_choice=False,
    )
    job_families = MultiCheckboxField(
        _l("Required for these job families"),
        coerce=record_id_choice,
        validate_choice=False,
    )
    kind = SelectField(
        _l("Renewal"),
        choices=KIND_CHOICES,
        invalid_choice_message=_l("Choose how it is renewed from the list."),
    )
    valid_months = WholeNumberField(
        _l("Months a certificate is valid"),
        validators=[Optional(), NumberRange(min=1, max=120, message=OUT_OF_RANGE)],
    )
    hours_per_year = FiniteDecimalField(
        _l("Hours every year"),
        places=2,
        validators=[Optional(), NumberRange(min=0.5, max=200, message=OUT_OF_RANGE)],
    )

    def validate_job_families(self, field: MultiCheckboxField) -> None:
        allowed = {value for value, _label in self.job_families.choices or []}
        chosen = [value for value in field.data or [] if value is not None]
        if not chosen:
            raise ValidationError(_l("Tick at least one job family."))
        if any(value not in allowed for value in chosen) or len(chosen) != len(field.data or []):
            raise ValidationError(_l("Choose job families from the list."))

    def validate_program(self, field: SelectField) -> None:
        allowed = {value for value, _label in self.program.choices or []}
        if field.data not in allowed:
            raise ValidationError(_l("Choose a program from the list."))

    def validate_valid_months(self, field: WholeNumberField) -> None:
        if self.kind.data == RenewalKind.EXPIRY.value and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the months, from 1 to 120."))

    def validate_hours_per_year(self, field: FiniteDecimalField) -> None:
        if self.kind.data == RenewalKind.HOURS.value and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the hours, from 0.5 to 200."))


class OverdueFiltersForm(FlaskForm):
    class Meta:
        csrf = False

    affiliate = SelectField(_l("State affiliate"), coerce=record_id_choice, validators=[Optional()])
    requirement = SelectField(_l("Requirement"), coerce=record_id_choice, validators=[Optional()])
    q = StringField(
        _l("Find a member by name or e-mail"),
        validators=[Optional(), Length(max=100, message=TOO_LONG)],
    )
