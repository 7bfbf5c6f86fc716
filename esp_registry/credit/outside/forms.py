"""Forms of outside PD credit. They check shape (type, length, ranges); the rules (24 hours
a day, no future end for completed training, what a file really is) live in rules.py and
esp_registry/files/checks.py, and are shown next to the same fields."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from esp_registry.credit.outside.models import MAX_DESCRIPTION, MAX_NOTE, MAX_PROVIDER, MAX_TITLE
from esp_registry.credit.outside.rules import MAX_HOURS, Details
from esp_registry.files.checks import MAX_BYTES
from esp_registry.form_fields import TOO_LONG, FiniteDecimalField, YearRange
from esp_registry.text import one_line

DATE = _l("Enter a date, e.g. 2026-09-01.")
HOURS = _l("Enter the contact hours, e.g. 6 or 1.5.")
HOURS_RANGE = _l("Enter hours from 0.25 to 999.")
# What a phone offers for this: the camera, the photo library, or files.
PROOF_ACCEPT = "application/pdf,image/*"


def _date(label: object) -> DateField:
    return DateField(
        label,
        validators=[InputRequired(message=DATE), YearRange()],
        invalid_value_message=DATE,  # type: ignore[call-arg]
    )


def _hours(label: object, required: bool = True) -> FiniteDecimalField:
    return FiniteDecimalField(
        label,
        places=None,
        validators=[
            InputRequired(message=HOURS) if required else Optional(),
            NumberRange(min=Decimal("0.25"), max=MAX_HOURS, message=HOURS_RANGE),
        ],
        render_kw={"autocomplete": "off"},
        invalid_value_message=HOURS,
    )


class OutsideTrainingForm(FlaskForm):
    """A completed outside training (proof required) or a request for pre-approval."""

    provider = StringField(
        _l("Provider (who gave the training)"),
        validators=[
            InputRequired(message=_l("Enter who gave the training.")),
            Length(max=MAX_PROVIDER, message=TOO_LONG),
        ],
        render_kw={"maxlength": MAX_PROVIDER, "autocomplete": "organization"},
    )
    title = StringField(
        _l("Title of the training"),
        validators=[
            InputRequired(message=_l("Enter the training's title.")),
            Length(max=MAX_TITLE, message=TOO_LONG),
        ],
        render_kw={"maxlength": MAX_TITLE},
    )
    starts_on = _date(_l("First day"))
    ends_on = _date(_l("Last day"))
    hours = _hours(_l("Contact hours"))
    summary = TextAreaField(
        _l("Short description (optional)"),
        validators=[Optional(), Length(max=MAX_DESCRIPTION, message=TOO_LONG)],
        render_kw={"rows": 3, "maxlength": MAX_DESCRIPTION},
    )
    proof = FileField(
        _l("Proof: a PDF, or a photo of the certificate (at most 10 MB)"),
        render_kw={"accept": PROOF_ACCEPT},
    )

    def details(self) -> Details:
        return Details(
            provider=one_line(self.provider.data),
            title=one_line(self.title.data),
            description=(self.summary.data or "").strip(),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            hours=self.hours.data,
        )

    def proof_bytes(self) -> bytes | None:
        """The uploaded file's bytes (one more than the limit at most: enough to refuse it)."""
        upload = self.proof.data
        if upload is None or not getattr(upload, "filename", None):
            return None
        return upload.stream.read(MAX_BYTES + 1) or b""


class DecisionForm(FlaskForm):
    """The approver's decision: approve with these hours, or decline; a note (required to
    decline, and when the hours change)."""

    hours = _hours(_l("Hours to credit"), required=False)  # a decline needs none
    decision_note = TextAreaField(
        _l("Note to the member"),
        validators=[Optional(), Length(max=MAX_NOTE, message=TOO_LONG)],
        render_kw={"rows": 3, "maxlength": MAX_NOTE},
    )
