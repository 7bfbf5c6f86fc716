"""Form fields and validators every area's forms share: how a number, an id or a date typed
by a person (or put in a query string) becomes a value, so no route parses one by hand."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, Field, Form, IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from esp_registry.ids import MAX_ID, parse_record_id

# Messages that say what to do, not what went wrong (WTForms fills in the numbers).
TOO_LONG = _l("Enter %(max)d characters or fewer.")
OUT_OF_RANGE = _l("Enter a number from %(min)s to %(max)s.")
EMAIL_FORMAT = _l("Enter an e-mail address, e.g. name@example.org.")

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MAX_NUMBER_CHARS = 12  # "1234567.1234": longer is no number a person types here
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")  # ASCII: int() would also read "٣" as 3


class YearRange:
    """A date or date-time between 2000 and 2100: anything else is a typing slip (and
    year 9999 cannot even be moved to another time zone)."""

    def __init__(self, first: int = EARLIEST_YEAR, last: int = LATEST_YEAR) -> None:
        self.first, self.last = first, last

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data
        if isinstance(value, date | datetime) and not self.first <= value.year <= self.last:
            raise ValidationError(
                _("Enter a date between %(first)d and %(last)d.", first=self.first, last=self.last)
            )


def record_id_choice(value: object) -> int | None:
    """SelectField coercion: a record's id, or None ("nothing chosen") for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    return parse_record_id(str(value or "").strip())


def _keypad(kwargs: dict[str, Any], inputmode: str) -> None:
    """A text input that brings up the number keypad (GOV.UK: not `type=number`, which
    changes a value on scroll and refuses what people type, e.g. "1,5")."""
    kwargs["render_kw"] = {"inputmode": inputmode, **(kwargs.get("render_kw") or {})}


class WholeNumberField(IntegerField):
    """A whole number as people type it ("12", " 12 "), in ASCII digits and short; give it
    a NumberRange for the bounds its column and its rule allow."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _keypad(kwargs, "numeric")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if not text:
            return
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValueError(self.invalid_value_message or _l("Enter a whole number."))
        self.data = int(text)


class RecordIdField(WholeNumberField):
    """The id of a record, sent by a form or a link: a whole number from 1 to MAX_ID."""

    def __init__(self, label: Any = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_value_message", _l("Choose from the list."))
        checks = validators or [Optional()]
        super().__init__(
            label,
            [*checks, NumberRange(min=1, max=MAX_ID, message=_l("Choose from the list."))],
            **kwargs,
        )


class FiniteDecimalField(DecimalField):
    """A decimal number as people type it (a comma or a point), finite and short: "1,5",
    " 2.25"; "NaN", "Infinity", "1e999" and unicode digits are not numbers here."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _keypad(kwargs, "decimal")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip().replace(",", ".")
        self.data = None
        if not text:
            return
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError) as error:
            raise ValueError(self.invalid_value_message or _l("Enter a number.")) from error
        plain = text.isascii() and "e" not in text.lower() and len(text) <= MAX_NUMBER_CHARS
        if not (plain and number.is_finite()):
            raise ValueError(self.invalid_value_message or _l("Enter a number."))
        self.data = number
