"""Forms of evaluations: the set-up form (up to 10 questions) and the answer form, built
from the evaluation's questions. They check shape; rules.py checks the rest."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from esp_registry.credit.evaluations.models import (
    LABEL_MAX,
    MAX_QUESTIONS,
    PROMPT_MAX,
    RATING_MAX,
    RATING_MIN,
    TEXT_ANSWER_MAX,
    Evaluation,
    QuestionKind,
)
from esp_registry.credit.evaluations.rules import QuestionDraft
from esp_registry.form_fields import TOO_LONG
from esp_registry.text import one_line

KIND_CHOICES = [
    (QuestionKind.RATING.value, _l("Rating from 1 to 5")),
    (QuestionKind.TEXT.value, _l("Free text")),
]


class QuestionForm(Form):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default=QuestionKind.RATING.value)
    prompt = StringField(
        _l("Question"),
        validators=[Optional(), Length(max=PROMPT_MAX, message=TOO_LONG)],
        render_kw={"maxlength": PROMPT_MAX},
    )
    low_label = StringField(
        _l("Label of 1"),
        validators=[Optional(), Length(max=LABEL_MAX, message=TOO_LONG)],
        render_kw={"maxlength": LABEL_MAX},
    )
    high_label = StringField(
        _l("Label of 5"),
        validators=[Optional(), Length(max=LABEL_MAX, message=TOO_LONG)],
        render_kw={"maxlength": LABEL_MAX},
    )


class SetupForm(FlaskForm):
    questions = FieldList(
        FormField(QuestionForm), min_entries=MAX_QUESTIONS, max_entries=MAX_QUESTIONS
    )
    required_for_certificate = BooleanField(_l("Required for the certificate"))

    def fill(self, drafts: list[QuestionDraft], required: bool) -> None:
        for entry, draft in zip(self.questions, drafts, strict=False):
            entry.kind.data = draft.kind.value
            entry.prompt.data = draft.prompt
            entry.low_label.data = draft.low_label
            entry.high_label.data = draft.high_label
        self.required_for_certificate.data = required

    def drafts(self) -> list[QuestionDraft]:
        """The rows with a question typed in; empty rows are left out."""
        drafts = []
        for entry in self.questions:
            prompt = one_line(entry.prompt.data)
            if not prompt:
                continue
            kind = QuestionKind(entry.kind.data)
            labels = ("", "")
            if kind == QuestionKind.RATING:
                labels = (
                    one_line(entry.low_label.data),
                    one_line(entry.high_label.data),
                )
            drafts.append(QuestionDraft(kind, prompt, *labels))
        return drafts


def drafts_of(evaluation: Evaluation) -> list[QuestionDraft]:
    return [
        QuestionDraft(q.kind, q.prompt, q.low_label, q.high_label) for q in evaluation.questions
    ]


def rating_field_name(question_id: int) -> str:
    return f"q{question_id}"


def answer_form_for(evaluation: Evaluation) -> FlaskForm:
    """A form with one radio group per rating question (required) and one text box per
    free-text question (optional)."""

    class AnswerForm(FlaskForm):
        pass

    for question in evaluation.questions:
        name = rating_field_name(question.id)
        field: Any
        if question.kind == QuestionKind.RATING:
            field = RadioField(
                question.prompt,
                choices=[(n, str(n)) for n in range(RATING_MIN, RATING_MAX + 1)],
                coerce=int,
                validators=[
                    InputRequired(
                        message=_l(
                            "Choose a rating from 1 to 5: %(question)s",
                            question=question.prompt,
                        )
                    )
                ],
            )
        else:
            field = TextAreaField(
                question.prompt,
                validators=[Optional(), Length(max=TEXT_ANSWER_MAX, message=TOO_LONG)],
                render_kw={"rows": 3, "maxlength": TEXT_ANSWER_MAX},
            )
        setattr(AnswerForm, name, field)
    return AnswerForm()


def answers_of(form: FlaskForm, evaluation: Evaluation) -> tuple[dict[int, int], dict[int, str]]:
    ratings, texts = {}, {}
    for question in evaluation.questions:
        data = form[rating_field_name(question.id)].data
        if question.kind == QuestionKind.RATING:
            if isinstance(data, int):
                ratings[question.id] = data
        else:
            texts[question.id] = data or ""
    return ratings, texts
