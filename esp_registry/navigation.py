"""The site menu's staff pages: what one person may open, asked of access.py, in one list
the layout shows behind a single "Staff" disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from esp_registry.access import (
    may_administer_people,
    may_assess_microcredentials,
    may_edit_reference_data,
    may_manage_lft,
    may_manage_offerings,
    may_manage_requirements,
    may_match_mentoring,
    may_open_evaluations,
    may_precheck_microcredentials,
    may_review_approvals,
    may_review_outside_training,
    may_see_credit_units,
    may_see_overdue,
    may_see_reports,
)
from esp_registry.accounts.models import Role


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    endpoint: str


def may_facilitate(user: Any) -> bool:
    """Facilitators, and the staff who may take any roster of theirs."""
    return user.has_role(Role.FACILITATOR) or may_manage_offerings(user)


def staff_links(user: Any) -> list[MenuLink]:
    """The staff pages this person may open, in the order of a working day; empty for a
    member (who then sees no Staff entry at all)."""
    if not getattr(user, "is_authenticated", False):
        return []
    pages = [
        (may_facilitate, "attendance.facilitate", _("Facilitate")),
        (may_review_approvals, "registrations.approvals", _("Approvals")),
        (may_manage_offerings, "manage.index", _("Manage trainings")),
        (may_match_mentoring, "mentoring.queue", _("Mentoring requests")),
        (may_review_outside_training, "outside.queue", _("Outside training")),
        (may_manage_lft, "lft.cycles", _("Leaders for Tomorrow cycles")),
        (may_administer_people, "people.directory", _("People")),
        (may_see_reports, "reports.index", _("Reports")),
        (may_open_evaluations, "evaluations.index", _("Evaluations")),
        (may_see_overdue, "required.overdue", _("Overdue trainings")),
        (may_manage_requirements, "required.requirements", _("Required trainings")),
        (may_edit_reference_data, "reference.index", _("Reference data")),
        (may_see_credit_units, "credit_units.index", _("Credit units")),
        (
            may_precheck_microcredentials,
            "mc_assessment.precheck_queue",
            _("Micro-credential pre-check"),
        ),
        (may_assess_microcredentials, "mc_assessment.mine", _("My assessments")),
    ]
    return [
        MenuLink(label, url_for(endpoint), endpoint) for may, endpoint, label in pages if may(user)
    ]
