from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from esp_registry.accounts import rules, sessions
from esp_registry.accounts.forms import ChangePasswordForm, SignInForm, SignUpForm
from esp_registry.extensions import limiter
from esp_registry.web import safe_next

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("registrations.my_trainings"))


def _failed(response: Response) -> bool:
    """Only refused sign-ins count towards the throttle: a training room full of people
    signing in correctly from one address is never locked out."""
    return response.status_code == 422


def _account_key() -> str:
    # Empty for a form without an e-mail: Flask-Limiter then skips the per-account limit.
    email = rules.normalise_email(request.form.get("email", ""))[:254]
    return f"account:{email}" if email else ""


def _user_agent() -> str:
    return request.user_agent.string or ""


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def sign_up() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("registrations.my_trainings"))
    form = SignUpForm()
    form.affiliate_id.choices = [(0, _("Choose your state affiliate")), *rules.affiliate_choices()]
    form.job_family_id.choices = [(0, _("Choose your job family")), *rules.job_family_choices()]
    if form.validate_on_submit():
        if rules.email_taken(form.email.data):
            form.email.errors.append(
                _("An account with this email already exists. Sign in instead.")
            )
        else:
            user = rules.create_member(
                full_name=form.full_name.data,
                email=form.email.data,
                password=form.password.data,
                affiliate_id=form.affiliate_id.data,
                job_family_id=form.job_family_id.data,
                local_name=form.local_name.data or "",
                job_title=form.job_title.data or "",
            )
            if user is None:
                form.email.errors.append(
                    _("An account with this email already exists. Sign in instead.")
                )
            else:
                sessions.sign_in(user, _user_agent())
                flash(
                    _("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success"
                )
                return redirect(url_for("catalog.index", job_family=user.job_family.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/sign_up.html", form=form), status


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def sign_in() -> str | Response:
    target = _safe_next(request.args.get("next"))  # judged before anything is done
    if current_user.is_authenticated:
        return redirect(target)
    form = SignInForm()
    if form.validate_on_submit():
        user = rules.authenticate(form.email.data, form.password.data)
        if user is not None:
            sessions.sign_in(user, _user_agent())
            flash(_("You are signed in."), "success")
            return redirect(target)
        form.password.errors.append(_("That email and password do not match an account."))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.post("/signout")
@login_required
def sign_out() -> Response:
    sessions.sign_out(current_user)
    flash(_("You are signed out."), "info")
    return redirect(url_for("catalog.index"))


@bp.post("/signout/everywhere")
@login_required
def sign_out_everywhere() -> Response:
    sessions.end_other_sessions(current_user, keep_token=None)
    sessions.sign_out(current_user)
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("accounts.sign_in"))


@bp.get("/account/security")
@login_required
def security() -> str:
    return _security_page(ChangePasswordForm())


def _security_page(form: ChangePasswordForm, status: int = 200) -> tuple[str, int] | str:
    page = render_template(
        "accounts/security.html",
        form=form,
        # This device first, then the others by when they were last used.
        sign_ins=sorted(
            sessions.active_sessions(current_user), key=lambda s: not sessions.is_current(s)
        ),
        is_current=sessions.is_current,
    )
    return (page, status) if status != 200 else page


@bp.post("/account/password")
@login_required
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=lambda: f"password:{current_user.id}" if current_user.is_authenticated else "",
    deduct_when=_failed,
)
def change_password() -> str | tuple[str, int] | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if rules.change_password(current_user, form.current_password.data, form.new_password.data):
            ended = sessions.end_other_sessions(current_user, keep_token=current_user.sign_in_token)
            flash(
                ngettext(
                    "Your password is changed. %(num)d other device was signed out.",
                    "Your password is changed. %(num)d other devices were signed out.",
                    ended,
                )
                if ended
                else _("Your password is changed."),
                "success",
            )
            return redirect(url_for("accounts.security"))
        form.current_password.errors.append(_("That is not your current password."))
    return _security_page(form, 422)
