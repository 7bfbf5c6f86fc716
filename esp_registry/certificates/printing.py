"""The background bulk print of an offering's certificates (run by the worker), and the
clean-up of printed files nobody needs any more."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import force_locale

from esp_registry.certificates import render
from esp_registry.certificates.models import CertificatePrintJob, PrintJobStatus
from esp_registry.certificates.rules import issue_for_offering
from esp_registry.columns import utcnow
from esp_registry.extensions import db

log = logging.getLogger(__name__)


def run_print_job(job_id: int) -> CertificatePrintJob | None:
    """Issue what is due, render every valid certificate of the offering into one PDF in
    instance/, and keep done/total up to date on the job row as pages are made."""
    if has_request_context():
        return _run(job_id)
    # The worker has no request: url_for and translations need one.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return _run(job_id)


def _run(job_id: int) -> CertificatePrintJob | None:
    job = db.session.get(CertificatePrintJob, job_id)
    if job is None or not job.active:
        return job
    try:
        job.status = PrintJobStatus.RUNNING
        offering = render.load_offering_for_print(job.offering_id)
        groups = []  # each member's certificate in their own language (PRODUCT §12)
        for language, printables in render.printables_by_language(issue_for_offering(offering)):
            with force_locale(language):
                groups.append((language, render.pages_for(printables, offering)))
        pages = [page for _language, group in groups for page in group]
        job.total = len(pages)
        job.done = 0
        db.session.commit()  # certificates issued; progress visible; no transaction held

        if not pages:
            # Nobody has credited hours yet: say so rather than offer an empty PDF.
            job.status = PrintJobStatus.DONE
            job.finished_at = utcnow()
            db.session.commit()
            return job

        def progress(done: int) -> None:
            job.done = done
            db.session.commit()

        # Each progress commit would otherwise expire the thousands of rows just loaded.
        session = db.session()
        expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
        try:
            pdf = render.certificates_pdf_in_languages(offering, groups, progress)
        finally:
            session.expire_on_commit = expire_on_commit
        job.filename = render.print_filename(offering.id, job.id, utcnow())
        (render.prints_folder() / job.filename).write_bytes(pdf)
        job.done = job.total
        job.status = PrintJobStatus.DONE
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as error:
        log.exception("certificate print job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(CertificatePrintJob, job_id)
        job.status = PrintJobStatus.FAILED
        job.error = str(error)[:500]
        job.finished_at = utcnow()
        db.session.commit()
        return job
    delete_earlier_prints(job)
    return job


def _delete_file(job: CertificatePrintJob) -> None:
    """Forget the job's file; the page then offers to print again instead of a download."""
    (render.prints_folder() / job.filename).unlink(missing_ok=True)
    job.filename = ""


def delete_earlier_prints(job: CertificatePrintJob) -> int:
    """A new print of an offering makes its earlier finished prints out of date: their
    files are deleted. Returns how many."""
    earlier = db.session.scalars(
        sa.select(CertificatePrintJob).where(
            CertificatePrintJob.offering_id == job.offering_id,
            CertificatePrintJob.id < job.id,
            CertificatePrintJob.status == PrintJobStatus.DONE,
            CertificatePrintJob.filename != "",
        )
    ).all()
    for old in earlier:
        _delete_file(old)
    db.session.commit()
    return len(earlier)


def delete_expired_prints(now: datetime | None = None) -> int:
    """Printed PDFs are kept CERTIFICATE_PRINTS_KEEP_DAYS days (config.py: 7 unless the
    environment says), then deleted, with any file in the folder that no job points at.
    Returns files deleted."""
    now = now or utcnow()
    days = int(current_app.config["CERTIFICATE_PRINTS_KEEP_DAYS"])
    cutoff = now - timedelta(days=days)
    expired = db.session.scalars(
        sa.select(CertificatePrintJob).where(
            CertificatePrintJob.status == PrintJobStatus.DONE,
            CertificatePrintJob.filename != "",
            CertificatePrintJob.finished_at < cutoff,
        )
    ).all()
    for job in expired:
        _delete_file(job)
    db.session.commit()
    # Files left behind by a job that failed after writing, or by a lost database row.
    kept = set(
        db.session.scalars(
            sa.select(CertificatePrintJob.filename).where(CertificatePrintJob.filename != "")
        )
    )
    db.session.commit()
    strays = 0
    for path in render.prints_folder().glob("certificates-offering-*.pdf"):
        if path.name not in kept and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            strays += 1
    return len(expired) + strays
