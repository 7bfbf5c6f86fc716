"""The one way a download (certificate PDF, digital badge) finds the member's earned
certificate: the rule My trainings offers it by, with a redirect that says why not yet."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from esp_registry.attendance.rules import credited_hours
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import (
    issue_certificate,
    may_download_certificate,
    mentoring_certificate_to_download,
)
from esp_registry.columns import utcnow
from esp_registry.credit.evaluations.rules import evaluation_states, owed
from esp_registry.mentoring.models import MentoringPairing
from esp_registry.registrations.models import Registration


def earned_certificate(registration: Registration) -> Certificate | Response:
    """The current certificate once earned; a redirect to My trainings (training not over)
    or to the evaluation (required, unanswered) with the reason; 404 when there is none."""
    hours = credited_hours([registration.id]).get(registration.id)
    waiting = owed(evaluation_states([registration.id]))
    decision = may_download_certificate(
        registration, hours, utcnow(), evaluation_owed=registration.id in waiting
    )
    if decision.code == "not_ended":
        flash(decision.reason, "info")
        return redirect(url_for("registrations.my_trainings"))
    if decision.code == "evaluation":
        flash(decision.reason, "info")
        return redirect(url_for("evaluations.answer", registration_id=registration.id))
    certificate = issue_certificate(registration) if decision.allowed else None
    if certificate is None or certificate.revoked_at is not None:
        abort(404)
    return certificate


def earned_mentoring_certificate(pairing: MentoringPairing, user_id: int) -> Certificate:
    """This mentor's or mentee's current certificate of the pairing (reissued under a new
    name first); 404 when they are not in it, or it has none, or it was revoked."""
    role = pairing.role_of(user_id)
    certificate = mentoring_certificate_to_download(pairing, role) if role else None
    if certificate is None:
        abort(404)
    return certificate
