from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.access import (
    load_or_404,
    may_manage_offering,
    may_print_certificates,
    may_revoke_certificate,
    may_see_print_job,
    may_see_registration,
    may_take_part_in_pairing,
)
from esp_registry.catalog.models import Offering
from esp_registry.certificates import rules
from esp_registry.certificates.earned import earned_certificate, earned_mentoring_certificate
from esp_registry.certificates.etags import pdf_download, private
from esp_registry.certificates.models import Certificate, CertificatePrintJob, PrintJobStatus
from esp_registry.certificates.render import certificate_etag, certificate_pdf, prints_folder
from esp_registry.certificates.rules import display_code
from esp_registry.certificates.transcript import transcript_etag, transcript_for, transcript_pdf
from esp_registry.extensions import limiter
from esp_registry.mentoring.certificate import (
    mentoring_certificate_etag,
    mentoring_certificate_html,
    mentoring_certificate_pdf,
)
from esp_registry.mentoring.models import MentoringPairing
from esp_registry.microcredentials.award import awarded_on
from esp_registry.paging import more_rows, page_request
from esp_registry.registrations.models import Registration
from esp_registry.web import is_htmx

log = logging.getLogger(__name__)

bp = Blueprint("certificates", __name__)


@bp.get("/registrations/<int:registration_id>/certificate.pdf")
@login_required
def download(registration_id: int) -> Response:
    """The member's certificate, once earned (the same rule My trainings offers it by)."""
    registration = load_or_404(Registration, registration_id, may_see_registration)
    certificate = earned_certificate(registration)
    if not isinstance(certificate, Certificate):
        return certificate
    return pdf_download(
        certificate_etag(certificate),
        lambda: certificate_pdf(certificate),
        f"certificate-{certificate.code}.pdf",
    )


@bp.get("/mentoring/pairings/<int:pairing_id>/certificate.pdf")
@login_required
def mentoring_download(pairing_id: int) -> Response:
    """The signed-in mentor's or mentee's own certificate of a completed pairing."""
    pairing = load_or_404(
        MentoringPairing,
        pairing_id,
        may_take_part_in_pairing,
        options=(joinedload(MentoringPairing.request),),
    )
    certificate = earned_mentoring_certificate(pairing, current_user.id)
    html = mentoring_certificate_html(certificate)
    return pdf_download(
        mentoring_certificate_etag(certificate, html),
        lambda: mentoring_certificate_pdf(html),
        f"certificate-{certificate.code}.pdf",
    )


@bp.get("/transcript")
@login_required
def transcript() -> str:
    return render_template("certificates/transcript.html", transcript=transcript_for(current_user))


@bp.get("/transcript.pdf")
@login_required
def transcript_download() -> Response:
    transcript = transcript_for(current_user)
    etag = transcript_etag(transcript)
    if request.if_none_match.contains_weak(etag):
        return private(Response(status=304), etag)
    pdf, code = transcript_pdf(transcript)
    response = Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="transcript-{code.code}.pdf"'},
    )
    return private(response, etag)


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
    """Public: name, training, date, hours and validity, nothing else (PRODUCT §7)."""
    certificate = rules.find_certificate(code[:40])
    if certificate is None:
        transcript = rules.find_transcript_code(code[:40])
        if transcript is not None:
            return render_template(
                "certificates/verify_transcript.html",
                transcript=transcript,
                code=display_code(transcript.code),
            ), 200
        return render_template("certificates/verify_unknown.html", code=code[:40]), 404
    latest = rules.latest_certificate(certificate)
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        latest=latest if latest.id != certificate.id else None,
        offering=certificate.registration.offering if certificate.registration else None,
        pairing=certificate.mentoring_pairing,
        attempt=certificate.microcredential_attempt,
        awarded_on=awarded_on,
        code=display_code(certificate.code),
        display_code=display_code,
    ), 200


# ---------------------------------------------------------------------------- staff


OFFERING_OPTIONS = (selectinload(Offering.facilitators),)


@bp.get("/offerings/<int:offering_id>/certificates")
@login_required
def offering_certificates(offering_id: int) -> str:
    offering = load_or_404(Offering, offering_id, may_print_certificates, options=OFFERING_OPTIONS)
    return _certificates_page(offering, may_manage_offering(current_user, offering))


def _certificates_page(
    offering: Offering, may_revoke: bool, errors: dict[int, str] | None = None
) -> str:
    search = request.args.get("q", "")[:100]
    at = page_request("certificate-rows")
    result = rules.offering_certificates(offering, search, at)
    shown = dict(
        offering=offering,
        result=result,
        may_revoke=may_revoke,
        display_code=display_code,
        errors=errors or {},
    )
    if at.more:
        return more_rows("certificates/_offering_rows.html", "certificate-rows", **shown)
    return render_template(
        "certificates/offering.html",
        search=search,
        job=rules.latest_print_job(offering.id),
        **shown,
    )


@bp.post("/certificates/<int:certificate_id>/revoke")
@login_required
def revoke(certificate_id: int):  # type: ignore[no-untyped-def]
    certificate = load_or_404(
        Certificate,
        certificate_id,
        may_revoke_certificate,
        options=(
            joinedload(Certificate.registration).joinedload(Registration.offering),
            joinedload(Certificate.mentoring_pairing).joinedload(MentoringPairing.request),
        ),
    )
    # A mentoring or micro-credential certificate is revoked from its pairing's or award's
    # page, and goes back there.
    back = None
    if certificate.microcredential_attempt_id is not None:
        back = url_for("mc_awards.award", attempt_id=certificate.microcredential_attempt_id)
    elif certificate.mentoring_pairing_id is not None:
        pairing_id = certificate.mentoring_pairing_id
        back = url_for("mentoring.pairing", pairing_id=pairing_id) + "#certificates"
    if back is not None:
        result = rules.revoke(certificate, current_user, request.form.get("reason", ""))
        if result.ok:
            flash(
                _("Certificate %(code)s revoked.", code=display_code(certificate.code)), "success"
            )
        else:
            flash(result.error, "error")
        return redirect(back)
    assert certificate.registration is not None
    offering = certificate.registration.offering
    result = rules.revoke(certificate, current_user, request.form.get("reason", ""))
    if not result.ok:
        return _certificates_page(offering, True, {certificate.id: result.error}), 422
    flash(_("Certificate %(code)s revoked.", code=display_code(certificate.code)), "success")
    return redirect(url_for("certificates.offering_certificates", offering_id=offering.id))


@bp.post("/offerings/<int:offering_id>/certificates/print")
@login_required
def start_print(offering_id: int) -> Response:
    offering = load_or_404(Offering, offering_id, may_print_certificates, options=OFFERING_OPTIONS)
    job, created = rules.request_print_job(offering, current_user)
    if created and current_app.config.get("WORKER_ENQUEUE"):
        from esp_registry.worker import print_certificates

        try:
            print_certificates(job.id)
        except Exception:
            log.warning("could not enqueue print job %s", job.id, exc_info=True)
    return redirect(url_for("certificates.print_job", job_id=job.id))


def _load_job(job_id: int) -> CertificatePrintJob:
    return load_or_404(
        CertificatePrintJob,
        job_id,
        may_see_print_job,
        options=(joinedload(CertificatePrintJob.offering).selectinload(Offering.facilitators),),
    )


@bp.get("/certificate-prints/<int:job_id>")
@login_required
def print_job(job_id: int) -> str:
    job = _load_job(job_id)
    if is_htmx():
        return render_template("certificates/_print_progress.html", job=job)
    return render_template("certificates/print_job.html", job=job, offering=job.offering)


@bp.get("/certificate-prints/<int:job_id>/certificates.pdf")
@login_required
def print_download(job_id: int) -> Response:
    job = _load_job(job_id)
    if job.status != PrintJobStatus.DONE or not job.filename:
        abort(404)
    path = prints_folder() / job.filename
    if not path.is_file():
        abort(404)
    # send_file answers If-None-Match itself (its tag: the file's name, size and time).
    response = send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=job.filename
    )
    return private(response)
