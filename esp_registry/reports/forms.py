"""The filters every report shares, read from the query string by WTForms fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from esp_registry.form_fields import EARLIEST_YEAR, LATEST_YEAR, WholeNumberField, record_id_choice

YEARS = NumberRange(
    min=EARLIEST_YEAR, max=LATEST_YEAR, message=_l("Enter a year between 2000 and 2100.")
)


class ReportFilters(FlaskForm):
    class Meta:
        csrf = False

    year_from = WholeNumberField(_l("From year"), validators=[Optional(), YEARS])
    year_to = WholeNumberField(_l("To year"), validators=[Optional(), YEARS])
    program = SelectField(_l("Program"), coerce=record_id_choice, validators=[Optional()])
    affiliate = SelectField(_l("State affiliate"), coerce=record_id_choice, validators=[Optional()])
    job_family = SelectField(_l("Job family"), coerce=record_id_choice, validators=[Optional()])
    format = SelectField(_l("Format"), validators=[Optional()])

    def validate_year_to(self, field: WholeNumberField) -> None:
        if self.year_from.data and field.data and field.data < self.year_from.data:
            raise ValidationError(_l("The last year comes after the first."))
