"""Forms of the member's micro-credential pages. They check shape (type, length); the rules
(the window, a stale revision, what a file really is) live in earning.py and files/checks.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from esp_registry.files.checks import MAX_BYTES
from esp_registry.form_fields import TOO_LONG, WholeNumberField
from esp_registry.microcredentials.earning import MAX_REVISION
from esp_registry.microcredentials.models import MAX_EVIDENCE

# What a phone offers for this: the camera, the photo library, or files.
FILE_ACCEPT = "application/pdf,image/*"
RELOAD = _l("This page is out of date: reload it, then type again.")


class EvidenceForm(FlaskForm):
    """One component's text (autosaved as it is typed), with the revision it was loaded at."""

    text = TextAreaField(
        _l("Your evidence"),
        validators=[Optional(), Length(max=MAX_EVIDENCE, message=TOO_LONG)],
        render_kw={"rows": 10, "maxlength": MAX_EVIDENCE},
    )
    revision = WholeNumberField(
        validators=[
            InputRequired(message=RELOAD),
            NumberRange(min=0, max=MAX_REVISION, message=RELOAD),
        ],
        invalid_value_message=RELOAD,
        widget=HiddenField.widget,
    )


class FileForm(FlaskForm):
    """A file for a component that takes one."""

    file = FileField(
        _l("Attach a file: a PDF, or a JPEG or PNG photo (at most 10 MB)"),
        render_kw={"accept": FILE_ACCEPT},
    )

    def file_bytes(self) -> bytes | None:
        """The file's bytes (one more than the limit at most: enough to refuse it)."""
        upload = self.file.data
        if upload is None or not getattr(upload, "filename", None):
            return None
        return upload.stream.read(MAX_BYTES + 1) or b""

    def file_name(self) -> str:
        upload = self.file.data
        return str(getattr(upload, "filename", "") or "")


class ConfirmForm(FlaskForm):
    """A button that acts (start, submit, withdraw, ask for a coach): only its CSRF token."""
