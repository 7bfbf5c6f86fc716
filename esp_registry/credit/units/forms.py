"""Forms for credit units and their rules; lengths match the columns, numbers have the
ranges a real rule has (PostgreSQL's NUMERIC(7, 2) would refuse more anyway)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from esp_registry.credit.units.models import Rounding
from esp_registry.form_fields import TOO_LONG, FiniteDecimalField, WholeNumberField
from esp_registry.text import strip_text

NATIONAL = 0  # the scope choice of the national rule


def two_places(form: Form, field: Field) -> None:
    """At most two decimals: what the rule keeps (NUMERIC(7, 2))."""
    value = field.data
    if isinstance(value, Decimal) and value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(_l("Enter a number with at most two decimals."))


class UnitForm(FlaskForm):
    code = StringField(
        _l("Short code"),
        filters=[strip_text],
        validators=[
            DataRequired(message=_l("Enter a short code.")),
            Length(max=20, message=TOO_LONG),
        ],
    )
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
        _l("Description"),
        filters=[strip_text],
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )


def _rounding_choices() -> list[tuple[str, Any]]:
    return [
        (Rounding.DOWN_TENTH.value, _l("Down to 0.1")),
        (Rounding.NEAREST_TENTH.value, _l("To the nearest 0.1")),
        (Rounding.DOWN_WHOLE.value, _l("Down to a whole number")),
        (Rounding.NEAREST_WHOLE.value, _l("To the nearest whole number")),
    ]


class RuleForm(FlaskForm):
    """How contact hours and/or micro-credentials convert into the unit."""

    hours_per_unit = FiniteDecimalField(
        _l("Contact hours for one unit"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=Decimal("0.1"), max=1000, message=_l("Enter hours from 0.1 to 1000.")),
            two_places,
        ],
    )
    rounding = SelectField(
        _l("Rounding"),
        choices=_rounding_choices,
        default=Rounding.DOWN_TENTH.value,
        invalid_choice_message=_l("Choose a rounding from the list."),
    )
    yearly_cap = FiniteDecimalField(
        _l("At most this many units a year (optional)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=10000, message=_l("Enter a number from 0 to 10000.")),
            two_places,
        ],
    )
    microcredentials_per_block = WholeNumberField(
        _l("Related micro-credentials"),
        validators=[
            Optional(),
            NumberRange(min=1, max=20, message=_l("Enter a whole number from 1 to 20.")),
        ],
    )
    units_per_block = FiniteDecimalField(
        _l("Units for them"),
        places=2,
        validators=[
            Optional(),
            NumberRange(
                min=Decimal("0.1"), max=1000, message=_l("Enter a number from 0.1 to 1000.")
            ),
            two_places,
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        count, units = self.microcredentials_per_block, self.units_per_block
        if count.data is not None and units.data is None:
            units.errors = [_l("Enter the units these micro-credentials earn.")]
            return False
        if units.data is not None and count.data is None:
            count.errors = [_l("Enter how many micro-credentials earn these units.")]
            return False
        if self.hours_per_unit.data is None and count.data is None:
            self.hours_per_unit.errors = [
                _l("Enter the contact hours for one unit, or a micro-credential conversion.")
            ]
            return False
        return True

    def values(self) -> dict[str, Any]:
        return {
            "hours_per_unit": self.hours_per_unit.data,
            "rounding": Rounding(self.rounding.data),
            "yearly_cap": self.yearly_cap.data,
            "microcredentials_per_block": self.microcredentials_per_block.data,
            "units_per_block": self.units_per_block.data,
        }


class NewRuleForm(RuleForm):
    scope = SelectField(
        _l("Where it applies"),
        coerce=int,
        invalid_choice_message=_l("Choose where the rule applies from the list."),
    )
