from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from esp_registry.accounts import rules
from esp_registry.accounts.forms import SignInForm, SignUpForm
from esp_registry.extensions import limiter
from esp_registry.web import safe_next

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("registrations.my_trainings"))


@bp.route("/signup", methods=["GET", "POST"])
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
                login_user(user)
                flash(
                    _("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success"
                )
                return redirect(url_for("catalog.index", job_family=user.job_family.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/sign_up.html", form=form), status


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = rules.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(_("You are signed in."), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("That email and password do not match an account."))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.post("/signout")
@login_required
def sign_out() -> Response:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("catalog.index"))
