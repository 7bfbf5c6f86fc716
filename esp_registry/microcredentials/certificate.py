"""The PDF certificate of an awarded micro-credential: the same paper, typography and
verification QR code as the registry's other certificates, saying which competency the
member demonstrated, when it was awarded and the credit hours it counts for."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import format_date
from flask_babel import gettext as _

from esp_registry.certificates.etags import pdf_etag
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.render import html_to_pdf, qr_data_uri, verification_url
from esp_registry.certificates.rules import display_code
from esp_registry.extensions import db
from esp_registry.microcredentials.award import awarded_on
from esp_registry.web import hours as format_hours
from esp_registry.web import hours_count, page_language, translated

TEMPLATE = "certificates/microcredential_certificate_pdf.html"
STYLE = "certificates/_framed_certificate_style.html"


def microcredential_certificate_html(certificate: Certificate) -> str:
    attempt = certificate.microcredential_attempt
    assert attempt is not None and attempt.awarded_at is not None
    microcredential = attempt.microcredential
    spanish = page_language() == "es"
    url = verification_url(certificate)
    member = attempt.user
    page = {
        "name": certificate.member_name,
        "title": translated(microcredential),
        "competency": (spanish and microcredential.competency_es) or microcredential.competency,
        "stack": translated(microcredential.stack) if microcredential.stack else "",
        "awarded": format_date(awarded_on(attempt.awarded_at), "long"),
        "hours": format_hours(certificate.hours),
        "hours_count": hours_count(certificate.hours),
        "job_family": translated(member.job_family),
        "affiliate": translated(member.affiliate),
        "issued": _("Issued %(date)s", date=format_date(awarded_on(certificate.issued_at), "long")),
        "url": url,
        "qr": qr_data_uri(url),
        "code": display_code(certificate.code),
        "signatory": _("ESP Quality Department"),
    }
    return render_template(TEMPLATE, p=page)


def microcredential_certificate_etag(certificate: Certificate, html: str) -> str:
    """The PDF is its HTML laid out: the HTML (code, name, dates, hours) is its tag."""
    return pdf_etag((TEMPLATE, STYLE), (certificate.code, html))


def microcredential_certificate_pdf(html: str) -> bytes:
    db.session.commit()  # end the read transaction before the slow rendering
    return html_to_pdf(html, current_app.static_folder)
