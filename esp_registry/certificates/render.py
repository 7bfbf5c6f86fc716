"""Certificate PDFs with WeasyPrint; the QR code is an SVG made by segno."""

from __future__ import annotations

import segno
from flask import current_app, render_template, url_for
from weasyprint import HTML

from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import display_code
from esp_registry.extensions import db


def verification_url(certificate: Certificate) -> str:
    """The public address printed on the certificate (absolute, for phones scanning it)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return base + url_for("certificates.verify", code=certificate.code)


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4, border=0)


def certificate_html(certificate: Certificate) -> str:
    registration = certificate.registration
    offering = registration.offering
    url = verification_url(certificate)
    return render_template(
        "certificates/certificate_pdf.html",
        certificate=certificate,
        registration=registration,
        offering=offering,
        member=registration.user,
        code=display_code(certificate.code),
        verification_url=url,
        qr=qr_data_uri(url),
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    html = certificate_html(certificate)
    db.session.commit()  # end the read transaction before the slow rendering
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
