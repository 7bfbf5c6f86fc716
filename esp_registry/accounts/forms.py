from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    DateRange,
    Email,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)

from esp_registry.form_fields import EMAIL_FORMAT, TOO_LONG

PASSWORD_RULE = _l("Enter a password of at least 10 characters.")


class MemberDetailsForm(FlaskForm):
    """Who the member is: asked at sign-up, changed on My account."""

    full_name = StringField(
        _l("Full name (as it should appear on certificates)"),
        validators=[
            DataRequired(message=_l("Enter your full name.")),
            Length(max=120, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(message=EMAIL_FORMAT),
            Length(max=254, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "email"},
    )
    affiliate_id = SelectField(
        _l("State affiliate"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose your state affiliate."))],
        invalid_choice_message=_l("Choose your state affiliate from the list."),
    )
    local_name = StringField(
        _l("Local association"),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
        # The affiliate's active locals as suggestions; the member's union is their organization.
        render_kw={"list": "local-options", "autocomplete": "organization"},
    )
    job_family_id = SelectField(
        _l("Job family"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose your job family."))],
        invalid_choice_message=_l("Choose your job family from the list."),
    )
    job_title = StringField(
        _l("Job title"),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
        render_kw={"autocomplete": "organization-title"},
    )


class SignUpForm(MemberDetailsForm):
    password = PasswordField(
        _l("Password (at least 10 characters)"),
        validators=[
            DataRequired(message=PASSWORD_RULE),
            Length(min=10, max=200, message=PASSWORD_RULE),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[
            DataRequired(message=_l("Enter the password again.")),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=200, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordForm(FlaskForm):
    """A new password typed twice (setting one from a reset link)."""

    new_password = PasswordField(
        _l("New password (at least 10 characters)"),
        validators=[
            DataRequired(message=PASSWORD_RULE),
            Length(min=10, max=200, message=PASSWORD_RULE),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(message=_l("Enter the new password again.")),
            EqualTo("new_password", message=_l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Enter your current password.")),
            Length(max=200, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(message=EMAIL_FORMAT),
            Length(max=254, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "email"},
    )


LANGUAGES = [("en", "English"), ("es", "Español")]


class AccountForm(MemberDetailsForm):
    started_job_on = DateField(
        _l("When did you start this job?"),
        validators=[
            Optional(),
            DateRange(
                min=date(1950, 1, 1),
                max=date(2100, 1, 1),
                message=_l("Enter a date after 1950 and not in the future."),
            ),
        ],
    )
    preferred_language = SelectField(
        _l("Language for this site and your e-mails"),
        choices=LANGUAGES,
        invalid_choice_message=_l("Choose English or Español."),
    )

    def validate_started_job_on(self, field: DateField) -> None:
        if field.data is not None and field.data > date.today():
            raise ValidationError(_l("Enter a date after 1950 and not in the future."))


class CloseAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=200, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    understood = BooleanField(
        _l("I understand that my account cannot be opened again"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
