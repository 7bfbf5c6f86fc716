from __future__ import annotations

import json
from collections.abc import Callable

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from esp_registry.accounts import links, own_data, profile, rules, sessions
from esp_registry.accounts.forms import (
    AccountForm,
    ChangePasswordForm,
    CloseAccountForm,
    ForgotPasswordForm,
    NewPasswordForm,
    SignInForm,
    SignUpForm,
)
from esp_registry.extensions import db, limiter
from esp_registry.ids import parse_record_id
from esp_registry.reference.rules import active_locals
from esp_registry.web import page_language, safe_next

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


def _home() -> str:
    """Where a link opened on any device lands: My trainings, or sign-in on a new phone."""
    if current_user.is_authenticated:
        return url_for("registrations.my_trainings")
    return url_for("accounts.sign_in")


def _user_agent() -> str:
    return request.user_agent.string or ""


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def sign_up() -> str | Response:
    # Where the visitor was (an offering's "Sign up"), judged before anything is done.
    target = safe_next(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(target or url_for("registrations.my_trainings"))
    form = SignUpForm()
    _reference_choices(form)
    valid = form.validate_on_submit()
    # A taken address is told with the other mistakes, not only once they are fixed.
    if form.is_submitted() and not form.email.errors and rules.email_taken(form.email.data):
        form.email.errors.append(_("An account with this email already exists. Sign in instead."))
        valid = False
    if valid:
        user = rules.create_member(
            full_name=form.full_name.data,
            email=form.email.data,
            password=form.password.data,
            affiliate_id=form.affiliate_id.data,
            job_family_id=form.job_family_id.data,
            local_name=form.local_name.data or "",
            job_title=form.job_title.data or "",
            preferred_language=page_language(),
        )
        if user is None:
            form.email.errors.append(
                _("An account with this email already exists. Sign in instead.")
            )
        else:
            links.send_confirmation(user)
            db.session.commit()
            sessions.sign_in(user, _user_agent())
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
            return redirect(target or url_for("catalog.index", job_family=user.job_family.slug))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accounts/sign_up.html", form=form, next=target, local_options=_local_options(form)
    ), status


def _reference_choices(form: SignUpForm | AccountForm) -> None:
    form.affiliate_id.choices = [(0, _("Choose your state affiliate")), *rules.affiliate_choices()]
    form.job_family_id.choices = [(0, _("Choose your job family")), *rules.job_family_choices()]
    # With htmx, choosing another affiliate refreshes the local suggestions.
    form.affiliate_id.render_kw = {
        "hx-get": url_for("accounts.local_options"),
        "hx-target": "#local-options",
        "hx-swap": "outerHTML",
        "hx-trigger": "change",
    }


def _local_options(form: SignUpForm | AccountForm) -> list[str]:
    affiliate_id = form.affiliate_id.data if isinstance(form.affiliate_id.data, int) else None
    return active_locals(affiliate_id)


@bp.get("/locals")
def local_options() -> str:
    """The suggestions for the local field: the chosen affiliate's active locals."""
    affiliate_id = parse_record_id(request.args.get("affiliate_id", ""))
    return render_template(
        "accounts/_local_options.html", local_options=active_locals(affiliate_id)
    )


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


# ---------------------------------------------------------------- forgotten password


def _reset_email_key() -> str:
    email = rules.normalise_email(request.form.get("email", ""))[:254]
    return f"reset:{email}" if email else ""


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"],
    methods=["POST"],
    key_func=_reset_email_key,
)
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def forgot_password() -> str | tuple[str, int] | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        links.send_password_reset(form.email.data)
        # The same words whether or not the address has an account.
        flash(
            _(
                "If an account uses %(email)s, we have e-mailed it a link to set a new "
                "password. It works for one hour.",
                email=rules.normalise_email(form.email.data),
            ),
            "info",
        )
        return redirect(url_for("accounts.sign_in"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | tuple[str, int] | Response:
    check = links.check_reset_link(token)
    if check.state != links.LinkState.OK:
        return render_template("accounts/link_dead.html", state=check.state, kind="reset"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        done = links.reset_password(token, form.new_password.data)
        if done.state != links.LinkState.OK or done.user is None:
            return render_template("accounts/link_dead.html", state=done.state, kind="reset"), 410
        sessions.end_other_sessions(done.user, keep_token=None)
        if current_user.is_authenticated:
            sessions.sign_out(current_user)
        sessions.sign_in(done.user, _user_agent())
        flash(_("Your new password is set and you are signed in."), "success")
        return redirect(url_for("registrations.my_trainings"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/reset_password.html", form=form), status


# ---------------------------------------------------------------- confirming an address


def _act_on_address_link(
    kind: str,
    token: str,
    act: Callable[[str], links.LinkCheck],
    done: Callable[[links.LinkCheck], str],
    used: str,
) -> str | tuple[str, int] | Response:
    """An e-mailed address link: a GET only shows the button (mail scanners open links,
    people press buttons); the POST acts and says what happened."""
    if request.method == "GET":
        return render_template("accounts/confirm.html", kind=kind)
    check = act(token)
    if check.state == links.LinkState.OK:
        flash(done(check), "success")
    elif check.state == links.LinkState.USED:
        flash(used, "info")
    else:
        return render_template("accounts/link_dead.html", state=check.state, kind=kind), 410
    return redirect(_home())


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> str | tuple[str, int] | Response:
    return _act_on_address_link(
        "confirm",
        token,
        links.confirm_email,
        lambda _check: _("Thank you: your e-mail address is confirmed."),
        _("Your e-mail address was already confirmed."),
    )


@bp.post("/email/confirm/again")
@login_required
@limiter.limit(
    "3 per hour",
    key_func=lambda: f"confirm:{current_user.id}" if current_user.is_authenticated else "",
)
def resend_confirmation() -> Response:
    if current_user.email_confirmed_at is None:
        links.send_confirmation(current_user)
        db.session.commit()
        flash(_("We sent the link again to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("registrations.my_trainings"))


@bp.route("/email/change/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str) -> str | tuple[str, int] | Response:
    return _act_on_address_link(
        "change",
        token,
        links.confirm_email_change,
        lambda check: _("Your account now uses %(email)s.", email=check.new_email),
        _("This link was already used, or your address changed since."),
    )


# ---------------------------------------------------------------- my account


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> str | tuple[str, int] | Response:
    form = AccountForm(obj=current_user if request.method == "GET" else None)
    _reference_choices(form)
    if form.validate_on_submit():
        change = profile.update_profile(
            current_user,
            full_name=form.full_name.data,
            email=form.email.data,
            affiliate_id=form.affiliate_id.data,
            local_name=form.local_name.data or "",
            job_family_id=form.job_family_id.data,
            job_title=form.job_title.data or "",
            started_job_on=form.started_job_on.data,
            preferred_language=form.preferred_language.data,
        )
        if change.saved:
            session.pop("lang", None)  # the saved language rules from now on
            with force_locale(current_user.preferred_language):  # say it in that language
                flash(_("Your details are saved."), "success")
                if change.email_pending:
                    flash(
                        _(
                            "We sent a link to %(new)s. Your account keeps %(old)s until you "
                            "open it.",
                            new=change.email_pending,
                            old=current_user.email,
                        ),
                        "info",
                    )
            return redirect(url_for("accounts.account"))
        form.email.errors.append(_("An account with this email already exists."))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accounts/account.html", form=form, local_options=_local_options(form)
    ), status


@bp.post("/account/language")
@login_required
def save_language() -> Response:
    language = request.form.get("language", "")
    if profile.save_language(current_user, language):
        session.pop("lang", None)
        with force_locale(language):
            flash(_("Saved: this site and your e-mails will use this language."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("registrations.my_trainings")))


# ---------------------------------------------------------------- my own data


@bp.get("/account/data")
@login_required
def download_my_data() -> Response:
    body = json.dumps(own_data.export(current_user), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-esp-registry-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/close", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=lambda: f"close:{current_user.id}" if current_user.is_authenticated else "",
    methods=["POST"],
    deduct_when=_failed,
)
def close_account() -> str | tuple[str, int] | Response:
    form = CloseAccountForm()
    if form.validate_on_submit():
        if current_user.check_password(form.password.data):
            own_data.close_account(current_user)
            sessions.sign_out(current_user)
            flash(_("Your account is closed. Thank you for learning with us."), "info")
            return redirect(url_for("catalog.index"))
        form.password.errors.append(_("That is not your current password."))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/close.html", form=form), status
