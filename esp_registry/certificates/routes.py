from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import login_required

from esp_registry.access import load_or_404, may_see_registration
from esp_registry.certificates.render import certificate_pdf
from esp_registry.certificates.rules import display_code, find_certificate, issue_certificate
from esp_registry.extensions import limiter
from esp_registry.registrations.models import Registration

bp = Blueprint("certificates", __name__)


@bp.get("/registrations/<int:registration_id>/certificate.pdf")
@login_required
def download(registration_id: int) -> Response:
    registration = load_or_404(Registration, registration_id, may_see_registration)
    certificate = issue_certificate(registration)
    if certificate is None or certificate.revoked_at is not None:
        abort(404)
    filename = f"certificate-{certificate.code}.pdf"
    return Response(
        certificate_pdf(certificate),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/verify")
@limiter.limit("30 per minute")
def verify_form() -> str | Response:
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=code[:40]))
    return render_template("certificates/verify_form.html")


@bp.get("/verify/<code>")
@limiter.limit("30 per minute")
def verify(code: str) -> tuple[str, int]:
    certificate = find_certificate(code[:40])
    if certificate is None:
        return render_template("certificates/verify_unknown.html", code=code[:40]), 404
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        offering=certificate.registration.offering,
        code=display_code(certificate.code),
    ), 200
