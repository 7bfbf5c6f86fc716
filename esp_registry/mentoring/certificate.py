"""The PDF certificate of a completed mentoring pairing, for its mentor or its mentee: the
same paper, typography and verification QR code as a certificate of attendance."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template
from flask_babel import format_date
from flask_babel import gettext as _

from esp_registry.certificates.etags import pdf_etag
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.render import html_to_pdf, qr_data_uri, verification_url
from esp_registry.certificates.rules import display_code
from esp_registry.extensions import db
from esp_registry.mentoring.models import MentoringRole
from esp_registry.mentoring.rules import today
from esp_registry.web import hours as format_hours
from esp_registry.web import hours_count, translated


def completed_on(certificate: Certificate) -> date:
    """The day the pairing completed, in the mentoring time zone."""
    pairing = certificate.mentoring_pairing
    assert pairing is not None
    return today(pairing.closed_at) if pairing.closed_at else pairing.ends_on


def mentoring_certificate_html(certificate: Certificate) -> str:
    pairing = certificate.mentoring_pairing
    assert pairing is not None
    mentor = certificate.mentoring_role == MentoringRole.MENTOR
    partner = pairing.mentee if mentor else pairing.mentor
    url = verification_url(certificate)
    request = pairing.request
    page = {
        "name": certificate.member_name,
        "role": _("as mentor") if mentor else _("as mentee"),
        "partner_label": _("Mentee") if mentor else _("Mentor"),
        "partner": partner.full_name,
        "dates": f"{format_date(pairing.starts_on, 'long')} \N{EN DASH} "
        f"{format_date(completed_on(certificate), 'long')}",
        "hours": format_hours(certificate.hours),
        "hours_count": hours_count(certificate.hours),  # "1 hour", "1.5 hours"
        "job_family": translated(request.job_family),
        "affiliate": translated(request.affiliate),
        "issued": _("Issued %(date)s", date=format_date(today(certificate.issued_at), "long")),
        "url": url,
        "qr": qr_data_uri(url),
        "code": display_code(certificate.code),
        "signatory": _("ESP Quality Department"),
    }
    return render_template(TEMPLATE, p=page)


TEMPLATE = "certificates/mentoring_certificate_pdf.html"
STYLE = "certificates/_framed_certificate_style.html"


def mentoring_certificate_etag(certificate: Certificate, html: str) -> str:
    """The PDF is its HTML laid out: the HTML (code, names, dates, hours) is its tag."""
    return pdf_etag((TEMPLATE, STYLE), (certificate.code, html))


def mentoring_certificate_pdf(html: str) -> bytes:
    db.session.commit()  # end the read transaction before the slow rendering
    return html_to_pdf(html, current_app.static_folder)
