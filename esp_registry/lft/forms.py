"""Forms of Leaders for Tomorrow. They check shape (length, type); the rules (word limits,
deadlines, caps) live in lft/rules.py and lft/cycles.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    Form,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from esp_registry.form_fields import (
    OUT_OF_RANGE,
    TOO_LONG,
    RecordIdField,
    WholeNumberField,
    YearRange,
)
from esp_registry.lft.queries import SORTS
from esp_registry.lft.rules import ESSAYS, Answers

# Far above any word limit; stops a pasted novel before the word count does.
MAX_CHARS = 8000
WHEN = _l("Enter a date and time, e.g. 2027-03-01 09:00.")
# The first format is what the browser's date-time input reads back.
WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class ApplicationForm(FlaskForm):
    leadership_experience = TextAreaField(
        ESSAYS[0].label,
        validators=[Optional(), Length(max=MAX_CHARS, message=TOO_LONG)],
        render_kw={"rows": 8},
    )
    essay_why = TextAreaField(
        ESSAYS[1].label,
        validators=[Optional(), Length(max=MAX_CHARS, message=TOO_LONG)],
        render_kw={"rows": 8},
    )
    essay_vision = TextAreaField(
        ESSAYS[2].label,
        validators=[Optional(), Length(max=MAX_CHARS, message=TOO_LONG)],
        render_kw={"rows": 10},
    )
    years_as_esp = WholeNumberField(
        _l("Years working as an ESP"),
        validators=[Optional(), NumberRange(min=0, max=70, message=_l("Enter 0 to 70 years."))],
        invalid_value_message=_l("Enter a whole number of years."),
    )
    president_name = StringField(
        _l("Your local president's name (your reference)"),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
    )
    president_email = EmailField(
        _l("Your local president's e-mail"),
        validators=[
            Optional(),
            Length(max=254, message=TOO_LONG),
            Email(message=_l("Enter an e-mail address, e.g. name@example.org.")),
        ],
    )
    commitment = BooleanField(
        _l("I commit to attend every session of Leaders for Tomorrow if selected.")
    )

    def answers(self) -> Answers:
        return Answers(
            leadership_experience=(self.leadership_experience.data or "").strip(),
            essay_why=(self.essay_why.data or "").strip(),
            essay_vision=(self.essay_vision.data or "").strip(),
            years_as_esp=self.years_as_esp.data,
            president_name=(self.president_name.data or "").strip(),
            president_email=(self.president_email.data or "").strip().lower(),
            commitment=bool(self.commitment.data),
        )


class CycleForm(FlaskForm):
    year = WholeNumberField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Enter a year, e.g. 2027.")),
            NumberRange(min=2000, max=2100, message=OUT_OF_RANGE),
        ],
        invalid_value_message=_l("Enter a year, e.g. 2027."),
    )
    opens = DateTimeLocalField(
        _l("Applications open"),
        format=WHEN_FORMATS,
        validators=[InputRequired(message=WHEN), YearRange()],
        invalid_value_message=WHEN,
    )
    closes = DateTimeLocalField(
        _l("Applications close"),
        format=WHEN_FORMATS,
        validators=[InputRequired(message=WHEN), YearRange()],
        invalid_value_message=WHEN,
    )
    review_deadline = DateTimeLocalField(
        _l("Affiliate review deadline"),
        format=WHEN_FORMATS,
        validators=[InputRequired(message=WHEN), YearRange()],
        invalid_value_message=WHEN,
    )
    decision_date = DateTimeLocalField(
        _l("Decision date"),
        format=WHEN_FORMATS,
        validators=[InputRequired(message=WHEN), YearRange()],
        invalid_value_message=WHEN,
    )
    cohort_size = WholeNumberField(
        _l("Cohort size"),
        default=20,
        validators=[
            InputRequired(message=_l("Enter the number of places in the cohort.")),
            NumberRange(min=1, max=500, message=OUT_OF_RANGE),
        ],
        invalid_value_message=_l("Enter a whole number."),
    )
    max_endorsements_per_affiliate = WholeNumberField(
        _l("Maximum endorsements per affiliate (blank: no limit)"),
        validators=[Optional(), NumberRange(min=1, max=500, message=OUT_OF_RANGE)],
        invalid_value_message=_l("Enter a whole number, or leave it blank."),
    )
    confirm_within_days = WholeNumberField(
        _l("Days a selected member has to confirm"),
        default=14,
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=1, max=90, message=OUT_OF_RANGE),
        ],
        invalid_value_message=_l("Enter a whole number of days."),
    )
    criteria = TextAreaField(
        _l("Rubric criteria, one per line: name, a colon, then a description"),
        validators=[
            DataRequired(
                message=_l("Enter at least one criterion: a name, a colon, then a description.")
            ),
            Length(max=4000, message=TOO_LONG),
        ],
        render_kw={"rows": 6},
    )


class DecisionForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment"), validators=[Optional(), Length(max=2000, message=TOO_LONG)]
    )
    internal = BooleanField(_l("Internal: staff only, not shown to the applicant"))


class AlternateForm(FlaskForm):
    """The rank an alternate is named at; blank puts them at the end of the list."""

    rank = WholeNumberField(
        _l("Alternate rank"),
        validators=[
            Optional(),
            NumberRange(min=1, max=999, message=_l("Enter the rank as a number from 1 to 999.")),
        ],
        invalid_value_message=_l("Enter the rank as a number from 1 to 999."),
    )


class ReviewFilters(Form):
    """The national review's filters, from the query string; a filter that is not one of
    ours is ignored (the page shows everything), never an error."""

    affiliate = RecordIdField()
    family = RecordIdField()

    def chosen(self, name: str) -> int | None:
        field = self[name]
        return field.data if field.validate(self) else None

    def sort(self, raw: str | None) -> str:
        return raw if raw in SORTS else "average"
