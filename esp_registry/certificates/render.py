"""Certificate PDFs: one for a member, or every certificate of an offering as one PDF.

Both are made the same way (stamping.py): WeasyPrint lays out the offering's certificate
once, with stand-ins for what differs per person, and each certificate is that page with
the member's name, hours, job family, affiliate, issue date, code and QR code drawn in.
The layout is cached per process by its HTML (the offering, the language), so a member's
download skips WeasyPrint too. Pages whose text the fonts cannot draw simply (Chinese,
Arabic...) are laid out by WeasyPrint in full, in their place.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from sqlalchemy.orm import selectinload
from weasyprint import HTML

from esp_registry.catalog.models import Offering
from esp_registry.certificates import stamping
from esp_registry.certificates.etags import pdf_etag
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import CODE_LENGTH, Printable, display_code
from esp_registry.extensions import db
from esp_registry.web import hours as format_hours
from esp_registry.web import local_date, translated

log = logging.getLogger(__name__)

PROGRESS_EVERY = 100  # pages between two progress updates of a bulk print


def verification_url(certificate: Certificate) -> str:
    """The public address printed on the certificate (absolute, for phones scanning it)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return base + url_for("certificates.verify", code=certificate.code)


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI (one path) for HTML pages and WeasyPrint documents."""
    return segno.make(text, error="m", mask=0).svg_data_uri(scale=4, border=0)


@dataclass(frozen=True)
class CertificatePage:
    """What one certificate says about its member; the rest of the page is the offering's."""

    name: str
    hours: str
    job_family: str
    affiliate: str
    issued: str
    url: str
    code: str

    @property
    def qr(self) -> str:
        return qr_data_uri(self.url)


# What the layout holds in each member's place: a short line, and a code as wide as any
# code (monospace), since the label before it is part of the layout.
STAND_IN = CertificatePage("X", "X", "X", "X", "X", "X", display_code("0" * CODE_LENGTH))
FIELDS = {"name", "hours", "job_family", "affiliate", "issued", "url", "code"}


def _page(
    certificate: Certificate,
    member_job_family: str,
    member_affiliate: str,
    tz: str,
    formatted: dict[object, str] | None = None,
) -> CertificatePage:
    formatted = {} if formatted is None else formatted
    hours, issued = ("hours", certificate.hours), ("issued", certificate.issued_at)
    if hours not in formatted:
        formatted[hours] = format_hours(certificate.hours)
    if issued not in formatted:
        formatted[issued] = _("Issued %(date)s", date=local_date(certificate.issued_at, tz))
    return CertificatePage(
        name=certificate.member_name,
        hours=formatted[hours],
        job_family=member_job_family,
        affiliate=member_affiliate,
        issued=formatted[issued],
        url=verification_url(certificate),
        code=display_code(certificate.code),
    )


def pages_for(printables: Sequence[Printable], offering: Offering) -> list[CertificatePage]:
    """What each page prints, from data already loaded (no queries)."""
    formatted: dict[object, str] = {}  # hours and issue dates many pages share, formatted once
    return [
        _page(
            p.certificate,
            translated(p.registration.user.job_family),
            translated(p.registration.user.affiliate),
            offering.timezone,
            formatted,
        )
        for p in printables
    ]


def certificates_html(
    offering: Offering, pages: Sequence[CertificatePage], background: bool = False
) -> str:
    """One HTML document, one page per certificate: the template is rendered once."""
    return render_template(
        "certificates/certificate_pdf.html", offering=offering, pages=pages, background=background
    )


def certificate_html(certificate: Certificate) -> str:
    return certificates_html(certificate.registration.offering, [certificate_page(certificate)])


def certificate_page(certificate: Certificate) -> CertificatePage:
    registration = certificate.registration
    member = registration.user
    return _page(
        certificate,
        translated(member.job_family),
        translated(member.affiliate),
        registration.offering.timezone,
    )


def certificate_etag(certificate: Certificate) -> str:
    """What a member's certificate PDF depends on: its code, what its page prints, and the
    offering's layout (the HTML the background is laid out from). No rendering."""
    page = certificate_page(certificate)
    layout = certificates_html(certificate.registration.offering, [STAND_IN], background=True)
    return pdf_etag(
        ("certificates/certificate_pdf.html",),
        (certificate.code, *dataclasses.astuple(page), layout),
    )


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    return HTML(string=html, base_url=base_url).write_pdf()


@functools.lru_cache(maxsize=32)
def _laid_out(html: str, base_url: str | None) -> stamping.Background | None:
    """The offering's background, laid out once per process; None: lay out every page."""
    try:
        background = stamping.lay_out(html, base_url)
    except Exception:
        log.exception("certificate background could not be laid out; rendering pages in full")
        return None
    if background is None or background.fields != FIELDS:
        log.warning("certificate template cannot be stamped; rendering pages in full")
        return None
    return background


def forget_backgrounds() -> None:
    """Drop the layouts cached in this process (the benchmark times a first download)."""
    _laid_out.cache_clear()


def background_for(offering: Offering) -> stamping.Background | None:
    return _laid_out(
        certificates_html(offering, [STAND_IN], background=True), current_app.static_folder
    )


def certificates_pdf(
    offering: Offering,
    pages: Sequence[CertificatePage],
    on_progress: Callable[[int], None] = lambda done: None,
) -> bytes:
    """All pages as one PDF, in order; on_progress(pages done) every PROGRESS_EVERY pages."""
    base_url = current_app.static_folder
    title = _("Certificate of attendance")
    return stamping.stamp(
        background_for(offering),
        pages,
        lambda chunk: html_to_pdf(certificates_html(offering, chunk), base_url),
        on_progress,
        progress_every=PROGRESS_EVERY,
        title=f"{title} \N{EN DASH} {pages[0].name}" if len(pages) == 1 else title,
    )


def printables_by_language(printables: Sequence[Printable]) -> list[tuple[str, list[Printable]]]:
    """Each member's certificate in their own language: a bulk print holds the English
    certificates, then the Spanish ones, each group in the order given (by name)."""
    groups: dict[str, list[Printable]] = {}
    for printable in printables:
        language = printable.registration.user.preferred_language or "en"
        groups.setdefault(language, []).append(printable)
    return sorted(groups.items(), key=lambda group: group[0] != "en")


def certificates_pdf_in_languages(
    offering: Offering,
    groups: Sequence[tuple[str, Sequence[CertificatePage]]],
    on_progress: Callable[[int], None] = lambda done: None,
) -> bytes:
    """One PDF of every group's pages, each group laid out in its language (one cached
    layout per language); a print in one language is exactly certificates_pdf."""
    parts, done_before = [], 0
    for language, pages in groups:
        with force_locale(language):
            parts.append(
                certificates_pdf(
                    offering, pages, lambda done, before=done_before: on_progress(before + done)
                )
            )
        done_before += len(pages)
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_metadata({"/Title": _("Certificate of attendance")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def certificate_pdf(certificate: Certificate) -> bytes:
    """A member's certificate, made like the bulk print so both look the same; with the
    offering's background cached it costs a few milliseconds instead of a layout."""
    offering = certificate.registration.offering
    page = certificate_page(certificate)
    db.session.commit()  # end the read transaction before the rendering
    return certificates_pdf(offering, [page])


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


def prints_folder() -> Path:
    folder = Path(
        current_app.config.get("CERTIFICATE_PRINTS_DIR")
        or Path(current_app.instance_path) / "certificate-prints"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def print_filename(offering_id: int, job_id: int, when: datetime) -> str:
    return f"certificates-offering-{offering_id}-job-{job_id}-{when:%Y%m%d%H%M%S}.pdf"
