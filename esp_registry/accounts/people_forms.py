"""Forms of the people directory and a person's page (numbers parsed here, with ranges)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from esp_registry.form_fields import OUT_OF_RANGE, TOO_LONG


class DirectoryFilters(FlaskForm):
    """The directory's query string: search, filters and page (no CSRF: it only reads)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name or e-mail"), validators=[Optional(), Length(max=100, message=TOO_LONG)]
    )
    affiliate = SelectField(_l("State affiliate"), coerce=int, validators=[Optional()])
    job_family = SelectField(_l("Job family"), coerce=int, validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])
    page = IntegerField(
        validators=[Optional(), NumberRange(min=1, max=100_000, message=OUT_OF_RANGE)]
    )


class GrantRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired(message=_l("Choose a role."))])
    affiliate_id = SelectField(
        _l("Approves for (only for affiliate approvers)"), coerce=int, validators=[Optional()]
    )


class DeactivateForm(FlaskForm):
    reason = TextAreaField(
        _l("Why (kept in the account's history)"),
        validators=[Optional(), Length(max=500, message=TOO_LONG)],
    )
