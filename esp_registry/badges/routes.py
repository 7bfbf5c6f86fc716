"""Open Badges 3.0 pages: the issuer profile and key set (public, stable URLs), the
member's badge download, and /badges/verify."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge

from esp_registry.access import (
    load_or_404,
    may_download_badge,
    may_download_mentoring_badge,
    may_download_transcript_badge,
)
from esp_registry.badges import credential as cred
from esp_registry.badges import queries
from esp_registry.badges import rules as badge_rules
from esp_registry.badges.baking import badge_png, bake, bake_png
from esp_registry.badges.credential import BadgeFacts
from esp_registry.badges.forms import NOTHING, TOO_BIG, BadgeEmailForm, VerifyForm
from esp_registry.badges.verify import MAX_TEXT, verify
from esp_registry.certificates.earned import earned_certificate, earned_mentoring_certificate
from esp_registry.certificates.models import Certificate, TranscriptCode
from esp_registry.certificates.transcript import issue_code, transcript_for
from esp_registry.columns import utcnow
from esp_registry.extensions import limiter
from esp_registry.mentoring.models import MentoringPairing
from esp_registry.registrations.models import Registration

bp = Blueprint("badges", __name__, url_prefix="/badges")

UPLOAD_LIMIT = MAX_TEXT + 64 * 1024  # the file and the form's other fields


def _json(data: object, mimetype: str = "application/json", **headers: str) -> Response:
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    return Response(body + "\n", mimetype=mimetype, headers=headers)


@bp.get("/issuer")
def issuer() -> Response:
    """The issuer's OB 3.0 Profile (JSON-LD)."""
    profile = queries.issuer_profile()
    return _json(profile, "application/ld+json", **{"Cache-Control": "public, max-age=3600"})


@bp.get("/jwks.json")
def jwks() -> Response:
    """The public key set every badge's `kid` names."""
    return _json(queries.published_keys(), **{"Cache-Control": "public, max-age=3600"})


@bp.get("/status/revocation")
def status_list() -> Response:
    """The Bitstring Status List every badge points at: a signed VC-JWT, fresh each time
    (a revocation shows at once; verifiers may cache it for a minute)."""
    return Response(
        queries.status_list_jwt(),
        mimetype="application/vc+jwt",
        headers={"Cache-Control": "public, max-age=60"},
    )


@bp.get("/image.svg")
def image() -> Response:
    """The achievement image every attendance badge points at."""
    svg = render_template("badges/badge.svg")
    return Response(
        svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


@bp.get("/credentials/<code>")
def credential(code: str) -> Response:
    """A credential's id resolves to the certificate's public verification page."""
    return redirect(url_for("certificates.verify", code=code[:40]))


def badge_download(facts: BadgeFacts, kind: str) -> Response:
    """A badge download: the JSON ({"jwt": …, "credential": …}), or the badge image with
    the same JWT baked in (SVG or PNG, per OB 3.0)."""
    badge = queries.signed(facts)
    headers = {
        "Content-Disposition": f'attachment; filename="badge-{facts.code}.{kind}"',
        "Cache-Control": "private, no-store",
    }
    if kind == "json":
        return _json(badge, **headers)
    if kind == "svg":
        svg = bake(render_template("badges/badge.svg"), badge["jwt"])
        return Response(svg, mimetype="image/svg+xml", headers=headers)
    return Response(bake_png(badge_png(), badge["jwt"]), mimetype="image/png", headers=headers)


def _earned(registration_id: int) -> Certificate | Response:
    """The member's current certificate when its badge may be downloaded: the same rule as
    the certificate PDF decides (a redirect says why not yet; 404 when there is none)."""
    registration = load_or_404(Registration, registration_id, may_download_badge)
    return earned_certificate(registration)


def _attendance_badge(registration_id: int, kind: str) -> Response:
    certificate = _earned(registration_id)
    if isinstance(certificate, Response):
        return certificate
    return badge_download(queries.facts_for(certificate), kind)


@bp.get("/registrations/<int:registration_id>.json")
@login_required
def download(registration_id: int) -> Response:
    """The member's attendance certificate as a signed Open Badges 3.0 credential:
    {"jwt": …, "credential": …}."""
    return _attendance_badge(registration_id, "json")


@bp.get("/registrations/<int:registration_id>.svg")
@login_required
def download_image(registration_id: int) -> Response:
    """The same credential baked into the badge image (OB 3.0 SVG baking)."""
    return _attendance_badge(registration_id, "svg")


@bp.get("/registrations/<int:registration_id>.png")
@login_required
def download_png(registration_id: int) -> Response:
    """The same credential baked into a PNG badge image (OB 3.0 PNG baking)."""
    return _attendance_badge(registration_id, "png")


def _mentoring_certificate(pairing_id: int) -> Certificate:
    """The signed-in mentor's or mentee's current certificate of a completed pairing."""
    pairing = load_or_404(
        MentoringPairing,
        pairing_id,
        may_download_mentoring_badge,
        options=(joinedload(MentoringPairing.request),),
    )
    certificate = earned_mentoring_certificate(pairing, current_user.id)
    return certificate


@bp.get("/mentoring/<int:pairing_id>.json")
@login_required
def mentoring_download(pairing_id: int) -> Response:
    """A mentoring certificate as a signed Open Badges 3.0 credential."""
    return badge_download(queries.facts_for(_mentoring_certificate(pairing_id)), "json")


@bp.get("/mentoring/<int:pairing_id>.svg")
@login_required
def mentoring_download_image(pairing_id: int) -> Response:
    return badge_download(queries.facts_for(_mentoring_certificate(pairing_id)), "svg")


@bp.get("/mentoring/<int:pairing_id>.png")
@login_required
def mentoring_download_png(pairing_id: int) -> Response:
    return badge_download(queries.facts_for(_mentoring_certificate(pairing_id)), "png")


@bp.get("/transcript.<any(json, svg, png):kind>")
@login_required
def transcript_current(kind: str) -> Response:
    """The member's transcript as it is now: its code (the PDF's, issued if this content
    has none yet), then that code's badge."""
    transcript = transcript_for(current_user)
    if not transcript.years:
        abort(404)
    code = issue_code(transcript)
    return redirect(url_for("badges.transcript_download", code_id=code.id, kind=kind))


@bp.get("/transcripts/<int:code_id>.<any(json, svg, png):kind>")
@login_required
def transcript_download(code_id: int, kind: str) -> Response:
    """A transcript code's badge, for the member whose transcript it is (else 404)."""
    code = load_or_404(TranscriptCode, code_id, may_download_transcript_badge)
    return badge_download(queries.transcript_facts(code), kind)


@bp.url_value_preprocessor
def upload_limit(endpoint: str | None, _values: dict | None) -> None:
    # Before anything reads the body (the CSRF check does, ahead of the view).
    if endpoint == "badges.verify_page":
        request.max_content_length = UPLOAD_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    form = VerifyForm(formdata=None)
    form.upload.errors = [str(TOO_BIG)]
    return render_template("badges/verify.html", form=form, result=None), 413


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def verify_page() -> tuple[str, int]:
    """Paste or upload a credential; every check is listed, passed or failed."""
    form = VerifyForm()
    result = None
    status = 200
    if form.validate_on_submit():
        text = form.text()
        if text is None:
            form.upload.errors = [str(TOO_BIG)]
            status = 413
        elif not text:
            form.credential.errors = [str(NOTHING)]
            status = 422
        else:
            result = verify(
                text,
                queries.published_keys(),
                cred.issuer_id(queries.base_url()),
                utcnow(),
                queries.revocation_record,
                queries.status_list_for,
            )
    elif form.is_submitted():
        status = 422
    return render_template("badges/verify.html", form=form, result=result), status


# ---------------------------------------------------------------------------- personal e-mail


@bp.route("/email", methods=["GET", "POST"])
@login_required
def email() -> str | tuple[str, int] | Response:
    """Which address the member's badges name; ask for a personal one (a link confirms it)."""
    form = BadgeEmailForm()
    if form.validate_on_submit():
        result = badge_rules.request_personal_email(current_user, form.email.data or "")
        if result.ok:
            flash(result.message, result.tone)
            return redirect(url_for("badges.email"))
        form.email.errors = [result.message]
    status = 422 if form.is_submitted() else 200
    personal = badge_rules.personal_email(current_user.id)
    return render_template("badges/email.html", form=form, personal=personal), status


@bp.post("/email/remove")
@login_required
def remove_email() -> Response:
    result = badge_rules.remove_personal_email(current_user)
    flash(result.message, result.tone)
    return redirect(url_for("badges.email"))


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def confirm_email(token: str) -> str | tuple[str, int] | Response:
    """The e-mailed link: a GET shows the button (mail scanners open links), a POST acts."""
    if request.method == "GET":
        return render_template("badges/confirm_email.html")
    result = badge_rules.confirm_personal_email(token)
    if not result.ok:
        return render_template("badges/confirm_email.html", refusal=result.message), 410
    flash(result.message, result.tone)
    if current_user.is_authenticated:
        return redirect(url_for("badges.email"))
    return redirect(url_for("catalog.index"))
