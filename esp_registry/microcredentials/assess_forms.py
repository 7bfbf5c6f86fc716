"""Forms of pre-check and assessment. They check shape (a choice made, lengths); the rules
(feedback required for Not yet, who may be assigned) live in assessment.py and are shown
next to the same fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from esp_registry.form_fields import TOO_LONG
from esp_registry.microcredentials.assessment import Given
from esp_registry.microcredentials.models import MAX_FEEDBACK, Criterion
from esp_registry.text import strip_text

MET, NOT_YET = "met", "not_yet"


class PrecheckForm(FlaskForm):
    """Complete (to the assessors) or incomplete (back to the member, with a note)."""

    note = TextAreaField(
        _l("Note to the member (required to return it)"),
        validators=[Optional(), Length(max=MAX_FEEDBACK, message=TOO_LONG)],
        filters=[strip_text],
        render_kw={"rows": 3, "maxlength": MAX_FEEDBACK},
    )


class ReassignForm(FlaskForm):
    assessor_id = SelectField(
        _l("Give it to"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose an assessor."))],
        validate_choice=True,
    )


def criterion_field(criterion_id: int) -> str:
    return f"c{criterion_id}"


def feedback_field(criterion_id: int) -> str:
    return f"f{criterion_id}"


def score_form_for(criteria: list[Criterion], language: str = "en") -> Any:
    """One Met / Not yet choice (required) and one feedback box per criterion, and an
    overall comment."""

    class ScoreForm(FlaskForm):
        comment = TextAreaField(
            _l("Overall comment to the member (optional)"),
            validators=[Optional(), Length(max=MAX_FEEDBACK, message=TOO_LONG)],
            filters=[strip_text],
            render_kw={"rows": 4, "maxlength": MAX_FEEDBACK},
        )

    for criterion in criteria:
        text = criterion.text_es if language == "es" and criterion.text_es else criterion.text
        setattr(
            ScoreForm,
            criterion_field(criterion.id),
            RadioField(
                text,
                choices=[(MET, _l("Met")), (NOT_YET, _l("Not yet"))],
                validators=[InputRequired(message=_l("Choose Met or Not yet."))],
            ),
        )
        setattr(
            ScoreForm,
            feedback_field(criterion.id),
            TextAreaField(
                _l("Feedback (required for Not yet)"),
                validators=[Optional(), Length(max=MAX_FEEDBACK, message=TOO_LONG)],
                filters=[strip_text],
                render_kw={"rows": 2, "maxlength": MAX_FEEDBACK},
            ),
        )
    return ScoreForm()


def given_of(form: Any, criteria: list[Criterion]) -> dict[int, Given | None]:
    """The scores as the form holds them (None where no choice was made)."""
    given: dict[int, Given | None] = {}
    for criterion in criteria:
        choice = form[criterion_field(criterion.id)].data
        feedback = form[feedback_field(criterion.id)].data or ""
        given[criterion.id] = Given(choice == MET, feedback) if choice in (MET, NOT_YET) else None
    return given
