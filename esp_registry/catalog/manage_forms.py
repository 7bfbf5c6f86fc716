"""Forms of offering management. They check shape (required, length, type); the rules
of what may be saved live in catalog/management.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from esp_registry.catalog.models import OfferingFormat, PromotionMode
from esp_registry.form_fields import TOO_LONG, FiniteDecimalField, WholeNumberField, YearRange
from esp_registry.ids import MAX_ID


def record_id(value: object) -> int:
    """A choice's id, 0 meaning "none"; anything that cannot be an id is refused."""
    text = value if isinstance(value, int) else str(value).strip()
    if isinstance(text, str) and not (text.isascii() and text.isdigit()):
        raise ValueError(value)  # int() would read "٣" as 3 and " -0 " as 0
    number = int(text)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


FORMAT_CHOICES = [
    SelectChoice(OfferingFormat.IN_PERSON.value, _l("In person")),
    SelectChoice(OfferingFormat.VIRTUAL.value, _l("Virtual")),
    SelectChoice(OfferingFormat.HYBRID.value, _l("Hybrid")),
]

PROMOTION_CHOICES = [
    SelectChoice(PromotionMode.CONFIRM.value, _l("Confirm the next person at once")),
    SelectChoice(PromotionMode.OFFER.value, _l("Offer the seat for some hours")),
]


class OfferingForm(FlaskForm):
    program_id = SelectField(
        _l("Program"),
        coerce=record_id,
        validators=[DataRequired(message=_l("Choose a program."))],
        invalid_choice_message=_l("Choose a program from the list."),
        invalid_value_message=_l("Choose a program from the list."),
    )
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Enter a title.")), Length(max=200, message=TOO_LONG)],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000, message=TOO_LONG)],
        render_kw={"rows": 4},
    )
    # 0 is National; the rules check the host (approvers: their own affiliates only).
    host_affiliate_id = SelectField(
        _l("Host"),
        coerce=record_id,
        validate_choice=False,
        invalid_value_message=_l("Choose a host from the list."),
    )
    format = SelectField(
        _l("Format"),
        choices=FORMAT_CHOICES,
        invalid_choice_message=_l("Choose a format from the list."),
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    online_url = URLField(
        _l("Online link"), validators=[Optional(), Length(max=500, message=TOO_LONG)]
    )
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    registration_opens = DateTimeLocalField(
        _l("Registration opens"),
        validators=[Optional(), YearRange()],
        invalid_value_message=_l("Enter a date and time, e.g. 2027-03-01 09:00."),
    )
    registration_closes = DateTimeLocalField(
        _l("Registration closes"),
        validators=[Optional(), YearRange()],
        invalid_value_message=_l("Enter a date and time, e.g. 2027-03-01 09:00."),
    )
    capacity = WholeNumberField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100_000, message=_l("Enter a number from 1 to 100,000.")),
        ],
        invalid_value_message=_l("Enter a whole number, or leave it blank for unlimited."),
    )
    waitlist_enabled = BooleanField(_l("Keep a waitlist when the training is full"))
    promotion_mode = SelectField(
        _l("When a seat frees up"),
        choices=PROMOTION_CHOICES,
        invalid_choice_message=_l("Choose what happens from the list."),
    )
    offer_hours = WholeNumberField(
        _l("Hours to accept an offered seat"),
        validators=[
            Optional(),
            NumberRange(min=1, max=720, message=_l("Enter a number of hours from 1 to 720.")),
        ],
        invalid_value_message=_l("Enter a whole number of hours."),
    )
    audience_ids = MultiCheckboxField(
        _l("Audience job families"),
        coerce=record_id,
        invalid_choice_message=_l("Choose job families from the list."),
    )
    requires_affiliate_approval = BooleanField(
        _l("Registrations need the state affiliate's approval")
    )
    # 0 is "not a pre-conference session"; the rules check the chosen conference.
    parent_id = SelectField(
        _l("Pre-conference session of"),
        coerce=record_id,
        validate_choice=False,
        default=0,
        invalid_value_message=_l("Choose a conference from the list."),
    )
    signatory = StringField(
        _l("Signatory on certificates"), validators=[Optional(), Length(max=160, message=TOO_LONG)]
    )


class SessionForm(FlaskForm):
    title = StringField(
        _l("Session title"),
        validators=[
            DataRequired(message=_l("Enter a session title.")),
            Length(max=200, message=TOO_LONG),
        ],
    )
    day = DateField(
        _l("Date"),
        validators=[InputRequired(message=_l("Enter a date, e.g. 2027-03-12.")), YearRange()],
        invalid_value_message=_l("Enter a date, e.g. 2027-03-12."),
    )
    starts = TimeField(
        _l("Start time"),
        format=["%H:%M", "%H:%M:%S"],
        validators=[InputRequired(message=_l("Enter a time, e.g. 09:00."))],
        invalid_value_message=_l("Enter a time, e.g. 09:00."),
    )
    ends = TimeField(
        _l("End time"),
        format=["%H:%M", "%H:%M:%S"],
        validators=[InputRequired(message=_l("Enter a time, e.g. 16:00."))],
        invalid_value_message=_l("Enter a time, e.g. 16:00."),
    )
    contact_hours = FiniteDecimalField(
        _l("Contact hours"),
        places=None,
        validators=[InputRequired(message=_l("Enter a number of hours, e.g. 6 or 2.5."))],
        invalid_value_message=_l("Enter a number of hours, e.g. 6 or 2.5."),
    )


class FacilitatorForm(FlaskForm):
    email = EmailField(
        _l("Email of the facilitator's account"),
        validators=[
            DataRequired(message=_l("Enter the e-mail address of the facilitator's account.")),
            Length(max=254, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "off"},
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, sent to registered members"),
        validators=[Optional(), Length(max=500, message=TOO_LONG)],
        render_kw={"rows": 2},
    )
