"""ESP Registry: the professional-development registry for Education Support Professionals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    has_request_context,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from esp_registry import config
from esp_registry.extensions import babel, csrf, db, limiter, login_manager, migrate
from esp_registry.ids import RecordIdConverter

ROOT = Path(__file__).resolve().parent.parent

# htmx is pinned; the SRI hash makes the browser refuse any other file from the CDN.
HTMX_VERSION = "2.0.11"
HTMX_URL = f"https://unpkg.com/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"

# Only the one pinned htmx file may run besides our own scripts, not the whole CDN host.
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self' {HTMX_URL}; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Before any route is added: every `<int:…>` then refuses ids that cannot exist (404).
    app.url_map.converters["int"] = RecordIdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if overrides:
        app.config.update(overrides)

    if app.config.get("TRUSTED_PROXIES"):
        # Believe X-Forwarded-For/-Proto only as far as the proxies we run ourselves.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.localize_callback = _
    login_manager.login_message_category = "info"

    _register_models_and_blueprints(app)
    _register_pages(app)

    from esp_registry.cli import register_cli

    register_cli(app)

    from esp_registry import worker  # imported here: worker.py needs esp_registry.ROOT

    worker.init_app(app)
    return app


def _select_locale() -> str | None:
    if not has_request_context():  # CLI, worker, rule functions called from tests
        return None
    chosen = request.args.get("lang")
    if chosen in ("en", "es"):
        session["lang"] = chosen
    if session.get("lang"):  # this browser's own choice (the footer switch)
        return session["lang"]
    if current_user.is_authenticated:
        return current_user.preferred_language
    return request.accept_languages.best_match(["en", "es"])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; the busy timeout makes writers queue.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_models_and_blueprints(app: Flask) -> None:
    from esp_registry import models  # noqa: F401  (every table in the metadata)
    from esp_registry.accounts import sessions
    from esp_registry.accounts.models import User
    from esp_registry.accounts.people_routes import bp as people_bp
    from esp_registry.accounts.routes import bp as accounts_bp
    from esp_registry.attendance.routes import bp as attendance_bp
    from esp_registry.badges.routes import bp as badges_bp
    from esp_registry.catalog.manage_routes import bp as manage_bp
    from esp_registry.catalog.routes import bp as catalog_bp
    from esp_registry.certificates.routes import bp as certificates_bp
    from esp_registry.credit.evaluations.routes import bp as evaluations_bp
    from esp_registry.credit.outside.routes import bp as outside_bp
    from esp_registry.credit.required.routes import bp as required_bp
    from esp_registry.credit.units.routes import bp as credit_units_bp
    from esp_registry.lft.routes import bp as lft_bp
    from esp_registry.mentoring.routes import bp as mentoring_bp
    from esp_registry.microcredentials.assess_routes import bp as mc_assessment_bp
    from esp_registry.microcredentials.routes import bp as microcredentials_bp
    from esp_registry.reference.routes import bp as reference_bp
    from esp_registry.registrations.routes import bp as registrations_bp
    from esp_registry.reports.routes import bp as reports_bp

    for bp in (accounts_bp, catalog_bp, registrations_bp, attendance_bp, certificates_bp, lft_bp):
        app.register_blueprint(bp)
    app.register_blueprint(mentoring_bp)  # url_prefix /mentoring
    app.register_blueprint(manage_bp)  # url_prefix /manage
    app.register_blueprint(people_bp)  # url_prefix /people
    app.register_blueprint(reference_bp)  # url_prefix /admin/reference
    app.register_blueprint(reports_bp)  # url_prefix /reports
    app.register_blueprint(credit_units_bp)  # url_prefix /credit/units
    app.register_blueprint(outside_bp)  # url_prefix /credit/outside
    app.register_blueprint(evaluations_bp)  # url_prefix /evaluations
    app.register_blueprint(required_bp)  # url_prefix /required-trainings
    app.register_blueprint(badges_bp)  # url_prefix /badges
    app.register_blueprint(microcredentials_bp)  # url_prefix /microcredentials (member side)
    app.register_blueprint(mc_assessment_bp)  # url_prefix /microcredentials/assess

    from esp_registry.microcredentials.award_routes import bp as mc_awards_bp

    app.register_blueprint(mc_awards_bp)  # url_prefix /microcredentials (award, certificate)

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        return sessions.user_for_token(token)

    @app.before_request
    def note_sign_in_in_use() -> None:
        if request.endpoint != "static" and current_user.is_authenticated:
            sessions.touch_current()


def _register_pages(app: Flask) -> None:
    from esp_registry.navigation import staff_links
    from esp_registry.paging import list_url, page_link
    from esp_registry.web import (
        getting_educated_title,
        host_name,
        hours,
        hours_count,
        hours_text,
        is_htmx,
        local_date,
        local_datetime,
        local_time,
        number,
        page_language,
        translated,
        url_in_language,
    )

    app.jinja_env.globals.update(
        htmx_url=HTMX_URL,
        htmx_sri=HTMX_SRI,
        is_htmx=is_htmx,
        page_language=page_language,
        list_url=list_url,
        page_link=page_link,
        staff_links=staff_links,
        url_in_language=url_in_language,
        getting_educated_title=getting_educated_title,
    )
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        local_time=local_time,
        hours=hours,
        hours_count=hours_count,
        hours_text=hours_text,
        number=number,
        translated=translated,
        host_name=host_name,
    )

    @app.get("/favicon.ico")
    def favicon() -> Response:
        # Browsers ask for /favicon.ico whatever the page says: answer it, cached a day.
        return send_from_directory(app.static_folder or "", "favicon.ico", max_age=86400)

    @app.before_request
    def refuse_nul_bytes() -> None:
        # No person types a NUL byte, and PostgreSQL cannot store one: refuse it up front.
        values = [request.path, *request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers["Vary"] = "HX-Request, Cookie"
        return response

    # Error pages in plain words; the texts are looked up per request (translated).
    error_texts = {
        400: (
            lambda: _("Something was wrong with that request"),
            lambda: _("Please go back, reload the page and try again."),
        ),
        404: (lambda: _("Page not found"), lambda: _("We could not find that page.")),
        429: (
            lambda: _("Too many attempts"),
            lambda: _("Too many attempts. Please wait a minute and try again."),
        ),
        500: (
            lambda: _("Something went wrong"),
            lambda: _(
                "We could not finish that. Please reload the page to see what was saved "
                "before you try again."
            ),
        ),
    }

    def error_page(error: Any) -> Any:
        code = getattr(error, "code", 500) if isinstance(error, HTTPException) else 500
        if code == 500:
            db.session.rollback()
        title, message = error_texts.get(code, error_texts[500])
        return render_template("errors/error.html", title=title(), message=message()), code

    for code in error_texts:
        app.register_error_handler(code, error_page)
