"""The background bulk print of an offering's certificates (run by the worker)."""

from __future__ import annotations

import logging

from flask import current_app, has_request_context

from esp_registry.certificates import render
from esp_registry.certificates.models import CertificatePrintJob, PrintJobStatus
from esp_registry.certificates.rules import issue_for_offering
from esp_registry.columns import utcnow
from esp_registry.extensions import db

log = logging.getLogger(__name__)


def run_print_job(job_id: int, processes: int | None = None) -> CertificatePrintJob | None:
    """Issue what is due, render every valid certificate of the offering into one PDF in
    instance/, and keep done/total up to date on the job row as chunks finish."""
    if has_request_context():
        return _run(job_id, processes)
    # The worker has no request: url_for and translations need one.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return _run(job_id, processes)


def _run(job_id: int, processes: int | None) -> CertificatePrintJob | None:
    job = db.session.get(CertificatePrintJob, job_id)
    if job is None or not job.active:
        return job
    try:
        job.status = PrintJobStatus.RUNNING
        offering = render.load_offering_for_print(job.offering_id)
        printables = issue_for_offering(offering)
        pages = render.pages_for(printables, offering)
        job.total = len(pages)
        job.done = 0
        db.session.commit()  # certificates issued; progress visible; no transaction held

        def progress(done: int) -> None:
            job.done = done
            db.session.commit()

        pdf = render.render_chunks(offering, pages, progress, processes=processes)
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
