"""Certificate PDFs with WeasyPrint: one for a member, or every certificate of an offering
as one PDF (rendered in chunks on all cores, then joined with pypdf).

The QR code is a segno SVG (one path, no per-module rectangles) with a fixed mask: the
search for the "best" mask costs more than the rest of the QR code and buys nothing for
a phone scanning clean print.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

import segno
from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from pypdf import PdfWriter
from sqlalchemy.orm import selectinload
from weasyprint import HTML

from esp_registry.catalog.models import Offering
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import Printable, display_code
from esp_registry.extensions import db
from esp_registry.web import hours as format_hours
from esp_registry.web import local_date

CHUNK_PAGES = 100  # pages per WeasyPrint document in a bulk print: progress steps, too


def verification_url(certificate: Certificate) -> str:
    """The public address printed on the certificate (absolute, for phones scanning it)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return base + url_for("certificates.verify", code=certificate.code)


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m", mask=0).svg_data_uri(scale=4, border=0)


def _page(certificate: Certificate, member_job_family: str, member_affiliate: str, tz: str) -> dict:
    url = verification_url(certificate)
    return {
        "name": certificate.member_name,
        "hours": format_hours(certificate.hours),
        "job_family": member_job_family,
        "affiliate": member_affiliate,
        "issued": _("Issued %(date)s", date=local_date(certificate.issued_at, tz)),
        "url": url,
        "qr": qr_data_uri(url),
        "code": display_code(certificate.code),
    }


def pages_for(printables: Sequence[Printable], offering: Offering) -> list[dict]:
    """What each page prints, from data already loaded (no queries)."""
    return [
        _page(
            p.certificate,
            p.registration.user.job_family.name,
            p.registration.user.affiliate.name,
            offering.timezone,
        )
        for p in printables
    ]


def certificates_html(offering: Offering, pages: Sequence[dict]) -> str:
    """One HTML document, one page per certificate: the template is rendered once."""
    return render_template("certificates/certificate_pdf.html", offering=offering, pages=pages)


def certificate_html(certificate: Certificate) -> str:
    registration = certificate.registration
    member = registration.user
    offering = registration.offering
    page = _page(certificate, member.job_family.name, member.affiliate.name, offering.timezone)
    return certificates_html(offering, [page])


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    return HTML(string=html, base_url=base_url).write_pdf()


def certificate_pdf(certificate: Certificate) -> bytes:
    html = certificate_html(certificate)
    db.session.commit()  # end the read transaction before the slow rendering
    return html_to_pdf(html, current_app.static_folder)


def load_offering_for_print(offering_id: int) -> Offering | None:
    return db.session.get(
        Offering,
        offering_id,
        options=[
            selectinload(Offering.sessions),
            selectinload(Offering.program),
            selectinload(Offering.host_affiliate),
        ],
    )


def _render_chunk(args: tuple[int, str, str | None]) -> tuple[int, bytes]:
    index, html, base_url = args
    return index, html_to_pdf(html, base_url)


def render_chunks(
    offering: Offering,
    pages: Sequence[dict],
    on_progress: Callable[[int], None] = lambda done: None,
    processes: int | None = None,
    chunk_pages: int = CHUNK_PAGES,
) -> bytes:
    """All pages as one PDF. Chunks of pages are laid out in parallel processes (WeasyPrint
    is pure Python and single-threaded) and joined in order; on_progress(pages done)."""
    chunks = [pages[i : i + chunk_pages] for i in range(0, len(pages), chunk_pages)] or [[]]
    work = [(i, certificates_html(offering, chunk), None) for i, chunk in enumerate(chunks)]
    processes = min(processes or os.cpu_count() or 1, len(work))
    rendered: dict[int, bytes] = {}
    done = 0
    if processes <= 1:
        for item in work:
            index, pdf = _render_chunk(item)
            rendered[index] = pdf
            done += len(chunks[index])
            on_progress(done)
    else:
        # forkserver: children start from a clean process, not a copy of one holding
        # database connections and the worker's threads.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            for future in as_completed([pool.submit(_render_chunk, item) for item in work]):
                index, pdf = future.result()
                rendered[index] = pdf
                done += len(chunks[index])
                on_progress(done)
    if len(rendered) == 1:
        return rendered[0]
    writer = PdfWriter()
    for index in range(len(work)):
        writer.append(io.BytesIO(rendered[index]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def prints_folder() -> Path:
    folder = Path(
        current_app.config.get("CERTIFICATE_PRINTS_DIR")
        or Path(current_app.instance_path) / "certificate-prints"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def print_filename(offering_id: int, job_id: int, when: datetime) -> str:
    return f"certificates-offering-{offering_id}-job-{job_id}-{when:%Y%m%d%H%M%S}.pdf"
