"""The /badges/verify form: a pasted credential or an uploaded file (at most 1 MB)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from esp_registry.badges.baking import PNG_SIGNATURE, unbake_png
from esp_registry.badges.verify import MAX_PASTE, MAX_TEXT
from esp_registry.form_fields import EMAIL_FORMAT, TOO_LONG

TOO_BIG = _l("The file is larger than 1 MB: a badge is much smaller.")
NOTHING = _l("Paste a credential or choose a file.")
NO_CREDENTIAL_IN_PNG = "(a PNG image with no baked credential)"  # fails the JWT check


class VerifyForm(FlaskForm):
    credential = TextAreaField(
        _l("Paste the credential (the JWT, or the whole downloaded .json file)"),
        validators=[Optional(), Length(max=MAX_PASTE, message=TOO_LONG)],
        render_kw={"rows": 6, "maxlength": MAX_PASTE, "spellcheck": "false", "autocomplete": "off"},
    )
    upload = FileField(
        _l("Or choose the file (.json, .png, .svg or .jwt, at most 1 MB)"),
        render_kw={"accept": ".json,.jwt,.png,.svg,.txt,application/json,image/png,image/svg+xml"},
    )

    def text(self) -> str | None:
        """What to check: the file when one was chosen, else the pasted text; None when
        the file is too large; "" when nothing was given."""
        upload = self.upload.data
        if upload is not None and getattr(upload, "filename", None):
            data = upload.stream.read(MAX_TEXT + 1)
            if len(data) > MAX_TEXT:
                return None
            if data.startswith(PNG_SIGNATURE):  # a baked PNG: the JWT in its iTXt chunk
                return unbake_png(data) or NO_CREDENTIAL_IN_PNG
            return data.decode("utf-8", errors="replace")
        return (self.credential.data or "").strip()


class BadgeEmailForm(FlaskForm):
    """A personal address for the member's badges (confirmed by a link sent to it)."""

    email = EmailField(
        _l("Personal e-mail address"),
        validators=[
            DataRequired(message=_l("Enter the address your badges should name.")),
            Length(max=254, message=TOO_LONG),
            Email(message=EMAIL_FORMAT),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
