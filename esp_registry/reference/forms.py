"""Forms for editing reference data; lengths match the columns (PostgreSQL enforces them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from esp_registry.form_fields import OUT_OF_RANGE, TOO_LONG, FiniteDecimalField
from esp_registry.text import strip_text


class ProgramForm(FlaskForm):
    name = StringField(
        _l("Title"),
        filters=[strip_text],
        validators=[DataRequired(message=_l("Enter a title.")), Length(max=160, message=TOO_LONG)],
    )
    name_es = StringField(
        _l("Title in Spanish"),
        filters=[strip_text],
        validators=[Optional(), Length(max=160, message=TOO_LONG)],
        render_kw={"lang": "es"},
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip_text],
        validators=[Optional(), Length(max=4000, message=TOO_LONG)],
        render_kw={"rows": 5},
    )
    requires_application = BooleanField(
        _l("Members apply and are selected (like Leaders for Tomorrow)")
    )
    default_contact_hours = FiniteDecimalField(
        _l("Contact hours of a session, unless its organiser says otherwise"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=24, message=_l("Enter hours between 0 and 24.")),
        ],
    )


class JobFamilyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip_text],
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=80, message=TOO_LONG)],
    )
    name_es = StringField(
        _l("Name in Spanish"),
        filters=[strip_text],
        validators=[Optional(), Length(max=80, message=TOO_LONG)],
        render_kw={"lang": "es"},
    )
    description = TextAreaField(
        _l("Short description"),
        filters=[strip_text],
        validators=[Optional(), Length(max=1000, message=TOO_LONG)],
    )
    page_text = TextAreaField(
        _l("Text of its “Getting Educated” page"),
        filters=[strip_text],
        validators=[Optional(), Length(max=8000, message=TOO_LONG)],
        render_kw={"rows": 8},
    )


class AffiliateForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip_text],
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=80, message=TOO_LONG)],
    )
    name_es = StringField(
        _l("Name in Spanish"),
        filters=[strip_text],
        validators=[Optional(), Length(max=80, message=TOO_LONG)],
        render_kw={"lang": "es"},
    )


class LocalForm(FlaskForm):
    """Add a local, or rename one."""

    name = StringField(
        _l("Name of the local"),
        filters=[strip_text],
        validators=[
            DataRequired(message=_l("Enter the name of the local.")),
            Length(max=120, message=TOO_LONG),
        ],
    )


class MergeLocalForm(FlaskForm):
    into = SelectField(
        _l("Merge into"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the local to merge into."))],
        invalid_choice_message=_l("Choose the local to merge into from the list."),
    )


class LocalsFilters(FlaskForm):
    """The locals list's query string (no CSRF: it only reads)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search locals"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    page = IntegerField(
        validators=[Optional(), NumberRange(min=1, max=100_000, message=OUT_OF_RANGE)]
    )
