"""Forms of mentoring. They check shape (type, length); the rules (eligibility, three years
in the job, 24 hours a day, capacity) live in mentoring/rules.py."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.form_fields import (
    TOO_LONG,
    FiniteDecimalField,
    RecordIdField,
    WholeNumberField,
    record_id_choice,
)
from esp_registry.mentoring.models import MAX_CAPACITY, ActivityType
from esp_registry.mentoring.rules import (
    ACTIVITY_NAMES,
    MAX_HELP,
    MAX_LOCAL,
    MAX_NOTE,
    LogEntry,
    MentorDetails,
    RequestDetails,
)
from esp_registry.reference.models import Affiliate, JobFamily
from esp_registry.web import by_translated_name, translated

DATE = _l("Enter a date, e.g. 2026-09-01.")


class _PlaceForm(FlaskForm):
    """Job family, affiliate and local: what both mentors and mentees say about themselves."""

    job_family_id = SelectField(_l("Job family"), coerce=record_id_choice, validate_choice=False)
    affiliate_id = SelectField(
        _l("State affiliate"), coerce=record_id_choice, validate_choice=False
    )
    local_name = StringField(
        _l("Local association"),
        validators=[Optional(), Length(max=MAX_LOCAL, message=TOO_LONG)],
        render_kw={"autocomplete": "organization"},
    )

    def fill_choices(self) -> None:
        families = by_translated_name(db.session.scalars(sa.select(JobFamily)))
        affiliates = by_translated_name(db.session.scalars(sa.select(Affiliate)))
        self.job_family_id.choices = [(f.id, translated(f)) for f in families]
        self.affiliate_id.choices = [(a.id, translated(a)) for a in affiliates]

    def fill_from_member(self, user: User) -> None:
        """Start from the member's own profile."""
        self.job_family_id.data = user.job_family_id
        self.affiliate_id.data = user.affiliate_id
        self.local_name.data = user.local_name


class MentorForm(_PlaceForm):
    capacity = WholeNumberField(
        _l("How many mentees at once"),
        default=1,
        validators=[
            InputRequired(message=_l("Choose 1 to 5 mentees at once.")),
            NumberRange(min=1, max=MAX_CAPACITY, message=_l("Choose 1 to 5 mentees at once.")),
        ],
        invalid_value_message=_l("Enter a whole number from 1 to 5."),
    )
    note = TextAreaField(
        _l("A short note for staff and your future mentees (optional)"),
        validators=[Optional(), Length(max=MAX_NOTE, message=TOO_LONG)],
        render_kw={"rows": 3, "maxlength": MAX_NOTE},
    )

    def details(self) -> MentorDetails:
        return MentorDetails(
            job_family_id=self.job_family_id.data,
            affiliate_id=self.affiliate_id.data,
            local_name=(self.local_name.data or "").strip(),
            capacity=self.capacity.data,
            note=(self.note.data or "").strip(),
        )


class RequestForm(_PlaceForm):
    started_job_on = DateField(
        _l("The date you started in this job"),
        validators=[InputRequired(message=DATE)],
        invalid_value_message=DATE,  # type: ignore[call-arg]
    )
    help_with = TextAreaField(
        _l("What would you like help with?"),
        validators=[
            InputRequired(message=_l("Say what you would like help with.")),
            Length(max=MAX_HELP, message=TOO_LONG),
        ],
        render_kw={"rows": 5, "maxlength": MAX_HELP},
    )

    def details(self) -> RequestDetails:
        return RequestDetails(
            job_family_id=self.job_family_id.data,
            affiliate_id=self.affiliate_id.data,
            local_name=(self.local_name.data or "").strip(),
            started_job_on=self.started_job_on.data,
            help_with=(self.help_with.data or "").strip(),
        )


class LogForm(FlaskForm):
    activity = SelectField(
        _l("Activity"),
        choices=[("", _l("Choose…"))] + [(a.value, ACTIVITY_NAMES[a]) for a in ActivityType],
        validate_choice=False,
    )
    on_date = DateField(
        _l("Date"),
        validators=[InputRequired(message=DATE)],
        invalid_value_message=DATE,  # type: ignore[call-arg]
    )
    hours = FiniteDecimalField(
        _l("Hours"),
        places=None,
        validators=[InputRequired(message=_l("Enter the hours, e.g. 1.5."))],
        render_kw={"autocomplete": "off"},
        invalid_value_message=_l("Enter the hours, e.g. 1.5."),
    )
    note = TextAreaField(
        _l("Short note (optional)"),
        validators=[Optional(), Length(max=MAX_NOTE, message=TOO_LONG)],
        render_kw={"rows": 2, "maxlength": MAX_NOTE},
    )

    def entry(self) -> LogEntry:
        return LogEntry(
            activity=self.activity.data or None,
            on_date=self.on_date.data,
            hours=self.hours.data,
            note=(self.note.data or "").strip(),
        )


class MatchForm(FlaskForm):
    """The mentor staff chose from the suggestions for a request."""

    mentor_profile_id = RecordIdField(
        validators=[InputRequired(message=_l("Choose a mentor from the list."))]
    )
