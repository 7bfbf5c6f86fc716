"""An awarded micro-credential, for its member: the award page, the certificate PDF and
the Open Badges 3.0 credential (JSON and baked SVG). National admins see the award page
too, and revoke the certificate there (certificates.revoke)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, lazyload, selectinload

from esp_registry.access import (
    load_or_404,
    may_download_microcredential_award,
    may_revoke_certificate,
    may_see_microcredential_award,
)
from esp_registry.accounts.models import User
from esp_registry.badges import queries as badges
from esp_registry.badges.routes import badge_download
from esp_registry.certificates.etags import pdf_download
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import display_code
from esp_registry.microcredentials import award as awards
from esp_registry.microcredentials.certificate import (
    microcredential_certificate_etag,
    microcredential_certificate_html,
    microcredential_certificate_pdf,
)
from esp_registry.microcredentials.models import Attempt, Component, Microcredential

bp = Blueprint("mc_awards", __name__, url_prefix="/microcredentials")

ATTEMPT_OPTIONS = (
    joinedload(Attempt.user).options(
        lazyload(User.role_grants), joinedload(User.job_family), joinedload(User.affiliate)
    ),
    joinedload(Attempt.microcredential).options(
        joinedload(Microcredential.stack),
        selectinload(Microcredential.components).selectinload(Component.criteria),
    ),
)


def _downloadable(attempt_id: int) -> Certificate:
    """The signed-in member's valid certificate of their awarded attempt; 404 when it is
    someone else's, not awarded, or revoked."""
    attempt = load_or_404(
        Attempt, attempt_id, may_download_microcredential_award, options=ATTEMPT_OPTIONS
    )
    certificate = awards.certificate_to_download(attempt)
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/attempts/<int:attempt_id>/award")
@login_required
def award(attempt_id: int) -> str:
    attempt = load_or_404(
        Attempt, attempt_id, may_see_microcredential_award, options=ATTEMPT_OPTIONS
    )
    certificate = awards.current_certificate(attempt)
    if certificate is None:
        abort(404)
    return render_template(
        "microcredentials/award.html",
        attempt=attempt,
        microcredential=attempt.microcredential,
        certificate=certificate,
        code=display_code(certificate.code),
        own=attempt.user_id == current_user.id,
        may_revoke=may_revoke_certificate(current_user, certificate),
        awarded=awards.awarded_on(attempt.awarded_at) if attempt.awarded_at else None,
    )


@bp.get("/attempts/<int:attempt_id>/certificate.pdf")
@login_required
def certificate_pdf(attempt_id: int) -> Response:
    certificate = _downloadable(attempt_id)
    html = microcredential_certificate_html(certificate)
    return pdf_download(
        microcredential_certificate_etag(certificate, html),
        lambda: microcredential_certificate_pdf(html),
        f"certificate-{certificate.code}.pdf",
    )


@bp.get("/attempts/<int:attempt_id>/badge.<any(json, svg, png):kind>")
@login_required
def badge(attempt_id: int, kind: str) -> Response:
    """The award as a signed Open Badges 3.0 credential: {"jwt": …, "credential": …}, or
    the same credential baked into the badge image (OB 3.0 SVG or PNG baking)."""
    return badge_download(badges.facts_for(_downloadable(attempt_id)), kind)
