"""The printable sign-in sheet of a session (PRODUCT §6), rendered with WeasyPrint."""

from __future__ import annotations

from flask import current_app, render_template
from weasyprint import HTML

from esp_registry.attendance import rules
from esp_registry.catalog.models import Session
from esp_registry.extensions import db


def sign_in_sheet_html(session: Session) -> str:
    return render_template(
        "attendance/sign_in_sheet_pdf.html",
        session=session,
        offering=session.offering,
        registrations=rules.sign_in_sheet_rows(session),
    )


def sign_in_sheet_pdf(session: Session) -> bytes:
    html = sign_in_sheet_html(session)
    db.session.commit()  # end the read transaction before the slow rendering
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
