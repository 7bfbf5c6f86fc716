"""The one access mechanism: load an object from the URL, check "may", or answer 404.

Every route that touches a protected object goes through `load_or_404` with one of the
`may_*` predicates below; a failed check is a 404 so nobody learns what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering, OfferingStatus, Session, offering_facilitators
from esp_registry.extensions import db
from esp_registry.microcredentials.models import Assessment, Attempt
from esp_registry.registrations.models import Registration

T = TypeVar("T")

PUBLIC_STATUSES = (OfferingStatus.PUBLISHED, OfferingStatus.COMPLETED, OfferingStatus.CANCELLED)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def may_manage_offering(user: Any, offering: Offering) -> bool:
    """National admins manage any offering; approvers the ones their affiliate hosts."""
    if not _signed_in(user):
        return False
    return user.is_national_admin or (
        offering.host_affiliate_id is not None
        and offering.host_affiliate_id in user.approver_affiliate_ids
    )


def may_view_offering(user: Any, offering: Offering) -> bool:
    return offering.status in PUBLIC_STATUSES or may_manage_offering(user, offering)


def may_take_attendance(user: Any, offering: Offering) -> bool:
    """Facilitators act on the offerings assigned to them only (plus those who manage it)."""
    if not _signed_in(user):
        return False
    return may_manage_offering(user, offering) or any(
        f.id == user.id for f in offering.facilitators
    )


def may_see_registration(user: Any, registration: Registration) -> bool:
    return _signed_in(user) and registration.user_id == user.id


def load_or_404(
    model: type[T], object_id: int, may: Callable[[Any, T], bool], *, options: Any = ()
) -> T:
    """The object with this id if the current user may act on it; otherwise 404."""
    obj = db.session.get(model, object_id, options=list(options))
    if obj is None or not may(current_user, obj):
        abort(404)
    return obj


def facilitated_offerings_query(user: User) -> sa.Select[tuple[Offering]]:
    """Offerings whose rosters this person may open (for their dashboard)."""
    query = sa.select(Offering)
    if user.is_national_admin:
        return query
    assigned = sa.select(offering_facilitators.c.offering_id).where(
        offering_facilitators.c.user_id == user.id
    )
    return query.where(
        sa.or_(
            Offering.id.in_(assigned),
            Offering.host_affiliate_id.in_(user.approver_affiliate_ids or {-1}),
        )
    )


def may_take_session_attendance(user: Any, session: Session) -> bool:
    return may_take_attendance(user, session.offering)


def may_approve_registration(user: Any, registration: Registration) -> bool:
    """The approver of the member's own state affiliate decides (national admins too)."""
    if not _signed_in(user):
        return False
    return user.is_national_admin or registration.user.affiliate_id in user.approver_affiliate_ids


def may_staff_cancel(user: Any, registration: Registration) -> bool:
    return may_manage_offering(user, registration.offering)


def approval_scope(user: User) -> set[int] | None:
    """Affiliates whose members' registrations this person approves (None: all of them)."""
    return None if user.is_national_admin else user.approver_affiliate_ids


def may_review_approvals(user: Any) -> bool:
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def may_manage_offerings(user: Any) -> bool:
    """National admins and affiliate approvers manage trainings (which ones: per object)."""
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def may_host_offering(user: Any, host_affiliate_id: int | None) -> bool:
    """Admins may give an offering any host; approvers only their own affiliate(s)."""
    if not _signed_in(user):
        return False
    return user.is_national_admin or (
        host_affiliate_id is not None and host_affiliate_id in user.approver_affiliate_ids
    )


def may_manage_session(user: Any, session: Session) -> bool:
    return may_manage_offering(user, session.offering)


def managed_offerings_query(user: User) -> sa.Select[tuple[Offering]]:
    """Offerings this person may manage: all for admins, their affiliates' for approvers."""
    query = sa.select(Offering)
    if user.is_national_admin:
        return query
    return query.where(Offering.host_affiliate_id.in_(user.approver_affiliate_ids or {-1}))


# ---------------------------------------------------------------------------- Leaders for Tomorrow


def may_review_lft_nationally(user: Any) -> bool:
    """National reviewers score endorsed applications: national admins and reviewers."""
    from esp_registry.accounts.models import Role

    return _signed_in(user) and (user.is_national_admin or user.has_role(Role.REVIEWER))


def may_manage_lft(user: Any) -> bool:
    """LFT cycles and the final selection belong to national admins."""
    return _signed_in(user) and user.is_national_admin


def may_edit_lft_application(user: Any, application: Any) -> bool:
    """Only the applicant writes, submits, withdraws or answers an offer."""
    return _signed_in(user) and application.user_id == user.id


def may_endorse_lft_application(user: Any, application: Any) -> bool:
    """The approver of the applicant's own state affiliate (national admins too), once
    the application is submitted."""
    from esp_registry.lft.models import LftStatus

    if not _signed_in(user) or application.status == LftStatus.DRAFT:
        return False
    return user.is_national_admin or application.affiliate_id in user.approver_affiliate_ids


def may_score_lft_application(user: Any, application: Any) -> bool:
    """Reviewers see applications that reached national review."""
    from esp_registry.lft.models import NATIONAL

    return may_review_lft_nationally(user) and application.status in NATIONAL


def may_view_lft_application(user: Any, application: Any) -> bool:
    """The applicant, their affiliate's approver, and national reviewers (per status)."""
    return (
        may_edit_lft_application(user, application)
        or may_endorse_lft_application(user, application)
        or may_score_lft_application(user, application)
    )


def may_staff_lft_application(user: Any, application: Any) -> bool:
    """Staff (not the applicant acting as such) see the full audit trail."""
    return may_endorse_lft_application(user, application) or may_score_lft_application(
        user, application
    )


def lft_affiliate_scope(user: Any) -> set[int] | None:
    """Affiliates whose LFT applications this person reviews (None: all of them)."""
    return None if user.is_national_admin else user.approver_affiliate_ids


# ---------------------------------------------------------------------------- Certificates


def may_print_certificates(user: Any, offering: Offering) -> bool:
    """The offering's facilitators and those who manage it print all its certificates."""
    return may_take_attendance(user, offering)


def may_see_print_job(user: Any, job: Any) -> bool:
    return may_print_certificates(user, job.offering)


def may_revoke_certificate(user: Any, certificate: Any) -> bool:
    """National admins, and approvers of the host affiliate, revoke certificates; a
    mentoring certificate, those who staff its pairing; a micro-credential's, national
    admins (they run the assessment)."""
    if certificate.microcredential_attempt_id is not None:
        return _signed_in(user) and user.is_national_admin
    if certificate.mentoring_pairing is not None:
        return may_staff_pairing(user, certificate.mentoring_pairing)
    return may_manage_offering(user, certificate.registration.offering)


# ---------------------------------------------------------------------------- Mentoring


def may_match_mentoring(user: Any) -> bool:
    """The matching queue: national admins, and affiliate approvers for their affiliate."""
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def mentoring_scope(user: Any) -> set[int] | None:
    """Affiliates whose mentoring requests and pairings this person staffs (None: all)."""
    return None if user.is_national_admin else user.approver_affiliate_ids


def may_match_request(user: Any, request: Any) -> bool:
    """Approvers of the affiliate the member asked in (national admins too)."""
    if not _signed_in(user):
        return False
    return user.is_national_admin or request.affiliate_id in user.approver_affiliate_ids


def may_edit_mentoring_request(user: Any, request: Any) -> bool:
    """Only the member who asked withdraws their request."""
    return _signed_in(user) and request.user_id == user.id


def may_see_mentoring_request(user: Any, request: Any) -> bool:
    return may_edit_mentoring_request(user, request) or may_match_request(user, request)


def may_staff_pairing(user: Any, pairing: Any) -> bool:
    """Staff of the request's affiliate complete or end a pairing, and see its logs."""
    return may_match_request(user, pairing.request)


def may_take_part_in_pairing(user: Any, pairing: Any) -> bool:
    """The mentor and the mentee: they log activities and may end it early."""
    return _signed_in(user) and user.id in (pairing.mentor_id, pairing.mentee_id)


def may_see_pairing(user: Any, pairing: Any) -> bool:
    return may_take_part_in_pairing(user, pairing) or may_staff_pairing(user, pairing)


def may_see_mentoring_log(user: Any, log: Any) -> bool:
    return may_see_pairing(user, log.pairing)


def may_delete_mentoring_log(user: Any, log: Any) -> bool:
    """Only whoever logged an activity takes it back."""
    return _signed_in(user) and log.user_id == user.id


# ---------------------------------------------------------------------------- people and roles


def people_scope(user: Any) -> set[int] | None:
    """Affiliates whose members this person administers (None: everyone, for admins)."""
    return None if user.is_national_admin else user.approver_affiliate_ids


def may_administer_people(user: Any) -> bool:
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def may_administer_person(user: Any, person: User) -> bool:
    """National admins see and change anyone; an approver the members of their affiliate."""
    if not may_administer_people(user):
        return False
    return user.is_national_admin or person.affiliate_id in user.approver_affiliate_ids


# ---------------------------------------------------------------------------- reference data


def may_edit_reference_data(user: Any) -> bool:
    """Programs, job families, affiliates and locals belong to national admins."""
    return _signed_in(user) and user.is_national_admin


def may_edit_reference_item(user: Any, item: Any) -> bool:
    """Any one program, job family, affiliate or local: the same national admins."""
    return may_edit_reference_data(user)


def may_see_reports(user: Any) -> bool:
    """Reports are for national admins and affiliate approvers (PRODUCT §9)."""
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def report_scope(user: Any, affiliate_id: int | None) -> frozenset[int] | None:
    """The members' affiliates every number, chart and CSV row of a report counts: all of
    them (None) or the one a national admin picks; an approver's own affiliate(s), or the
    one of them they pick — asking for any other affiliate is a 404."""
    if user.is_national_admin:
        return None if affiliate_id is None else frozenset({affiliate_id})
    own = frozenset(user.approver_affiliate_ids)
    if affiliate_id is None:
        return own
    if affiliate_id not in own:
        abort(404)
    return frozenset({affiliate_id})


# ---- units


def may_see_credit_units(user: Any) -> bool:
    """Credit units and their rules: national admins, and affiliate approvers (who edit
    their own state's rules)."""
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def may_edit_credit_units(user: Any) -> bool:
    """Adding, editing and deactivating units belongs to national admins."""
    return _signed_in(user) and user.is_national_admin


def may_see_credit_unit(user: Any, unit: Any) -> bool:
    return may_see_credit_units(user)


def may_edit_credit_unit(user: Any, unit: Any) -> bool:
    return may_edit_credit_units(user)


def credit_rule_scope(user: Any) -> set[int] | None:
    """States whose rules this person sets (None: all of them, and the national rules)."""
    return None if user.is_national_admin else user.approver_affiliate_ids


def may_set_credit_rule_for(user: Any, affiliate_id: int | None) -> bool:
    """National admins set every rule; an approver their own affiliate's only (never the
    national one)."""
    if not _signed_in(user):
        return False
    return user.is_national_admin or (
        affiliate_id is not None and affiliate_id in user.approver_affiliate_ids
    )


def may_edit_credit_rule(user: Any, rule: Any) -> bool:
    return may_set_credit_rule_for(user, rule.affiliate_id)


# ---------------------------------------------------------------------------- outside


def may_review_outside_training(user: Any) -> bool:
    """The outside-training queue: national admins, and approvers for their affiliate."""
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def outside_training_scope(user: Any) -> set[int] | None:
    """Affiliates whose members' outside training this person decides (None: all)."""
    return None if user.is_national_admin else user.approver_affiliate_ids


def may_decide_outside_training(user: Any, training: Any) -> bool:
    """The approvers of the affiliate the member asked in (national admins too); nobody
    decides their own request."""
    if not _signed_in(user) or training.user_id == user.id:
        return False
    return user.is_national_admin or training.affiliate_id in user.approver_affiliate_ids


def may_own_outside_training(user: Any, training: Any) -> bool:
    """Only the member who asked records the completion of a pre-approval."""
    return _signed_in(user) and training.user_id == user.id


def may_see_outside_training(user: Any, training: Any) -> bool:
    """A request and its proof file: the member, and those who decide it (PRODUCT §13)."""
    return may_own_outside_training(user, training) or may_decide_outside_training(user, training)


# ---------------------------------------------------------------------------- evaluations


def may_set_up_program_evaluation(user: Any, program: Any) -> bool:
    """A program's evaluation (for all its offerings) is for national admins."""
    return _signed_in(user) and user.is_national_admin


def may_set_up_offering_evaluation(user: Any, offering: Offering) -> bool:
    """An offering's own evaluation: whoever manages the offering."""
    return may_manage_offering(user, offering)


def may_remove_evaluation(user: Any, evaluation: Any) -> bool:
    """Who may set an evaluation up may remove it (the rule refuses once answered)."""
    if evaluation.offering is not None:
        return may_set_up_offering_evaluation(user, evaluation.offering)
    return may_set_up_program_evaluation(user, evaluation.program)


def may_see_evaluation_results(user: Any, offering: Offering) -> bool:
    """Aggregates (never single answers) for the offering's facilitators and managers."""
    return may_take_attendance(user, offering)


def may_answer_evaluation(user: Any, registration: Registration) -> bool:
    """Only the member answers for their own registration."""
    return may_see_registration(user, registration)


def may_open_evaluations(user: Any) -> bool:
    """The staff list of evaluations: facilitators and those who manage trainings."""
    return _signed_in(user) and (
        user.is_national_admin
        or bool(user.approver_affiliate_ids)
        or user.has_role("facilitator")  # Role.FACILITATOR, a StrEnum
    )


# ---------------------------------------------------------------------------- required


def may_manage_requirements(user: Any) -> bool:
    """Which programs job families must take and renew: national admins (PRODUCT §13)."""
    return _signed_in(user) and user.is_national_admin


def may_edit_requirement(user: Any, requirement: Any) -> bool:
    return may_manage_requirements(user)


def may_see_overdue(user: Any) -> bool:
    """Who is overdue on a required training: national admins, and approvers for their
    state affiliate(s)."""
    return _signed_in(user) and (user.is_national_admin or bool(user.approver_affiliate_ids))


def overdue_scope(user: Any, affiliate_id: int | None) -> frozenset[int] | None:
    """The members' affiliates the overdue list shows: as for reports, an approver's own
    affiliate(s) (another one is a 404), any one a national admin picks, or all."""
    return report_scope(user, affiliate_id)


# ---------------------------------------------------------------------------- badges


def may_download_badge(user: Any, registration: Registration) -> bool:
    """A badge is the member's own, as the certificate it carries: only they download it
    (whether it is earned yet is certificates.rules.may_download_certificate's answer)."""
    return may_see_registration(user, registration)


def may_download_mentoring_badge(user: Any, pairing: Any) -> bool:
    """A mentoring certificate's badge: the mentor's or the mentee's own, as its PDF."""
    return may_take_part_in_pairing(user, pairing)


def may_download_transcript_badge(user: Any, code: Any) -> bool:
    """A transcript's badge (by its code): only the member whose transcript it is."""
    return bool(user.is_authenticated) and code.user_id == user.id


# ---------------------------------------------------------------------------- Micro-credentials
# (member side: the member's own attempts, and who may open the evidence files)


def may_work_on_microcredential_attempt(user: Any, attempt: Any) -> bool:
    """A member acts only on their own attempts (anyone else: 404)."""
    return _signed_in(user) and attempt.user_id == user.id


def may_see_microcredential_submitted_file(user: Any, evidence: Any) -> bool:
    """A submitted version's file: to the member, the assessors assigned to that version,
    and national admins (who pre-check it)."""
    if not _signed_in(user):
        return False
    submission = evidence.submission
    if submission.attempt.user_id == user.id or user.is_national_admin:
        return True
    assigned = db.session.scalar(
        sa.select(Assessment.id)
        .where(Assessment.submission_id == submission.id, Assessment.assessor_id == user.id)
        .limit(1)
    )
    return assigned is not None


def may_see_microcredential_draft_file(user: Any, draft: Any) -> bool:
    """A draft's file (work in progress): to the member and national admins only;
    assessors read what was submitted, never a draft of the next version."""
    if not _signed_in(user):
        return False
    attempt = db.session.get(Attempt, draft.attempt_id)
    return attempt is not None and (attempt.user_id == user.id or user.is_national_admin)


# ---------------------------------------------------------------------------- Micro-credentials
# (assessment side: pre-check by national admins, scoring by the assessors assigned)


def may_precheck_microcredentials(user: Any) -> bool:
    """National admins pre-check submissions and (re)assign assessors."""
    return _signed_in(user) and user.is_national_admin


def may_precheck_microcredential_submission(user: Any, submission: Any) -> bool:
    """Staff's page of a submission (pre-check, assessors, every score with its assessor's
    name): never for the member's own, nor for an admin who is also one of its assessors
    and has not sent their scores (the page would unblind them; they use their own)."""
    return (
        may_precheck_microcredentials(user)
        and submission.attempt.user_id != user.id
        and not any(
            a.assessor_id == user.id and a.completed_at is None for a in submission.assessments
        )
    )


def may_assess_microcredentials(user: Any) -> bool:
    """Assessors have a queue of the submissions assigned to them."""
    return _signed_in(user) and user.has_role("assessor")  # Role.ASSESSOR, a StrEnum


def may_score_microcredential_assessment(user: Any, assessment: Any) -> bool:
    """Only the assessor it is assigned to, while they hold the role (everyone else, the
    member and the other assessors included, gets 404)."""
    return may_assess_microcredentials(user) and assessment.assessor_id == user.id


def may_reassign_microcredential_assessment(user: Any, assessment: Any) -> bool:
    return may_precheck_microcredential_submission(user, assessment.submission)


# ---------------------------------------------------------------------------- Micro-credentials


def may_see_microcredential_award(user: Any, attempt: Any) -> bool:
    """An award's page: the member's own; national admins too (they revoke it there)."""
    return _signed_in(user) and (user.id == attempt.user_id or user.is_national_admin)


def may_download_microcredential_award(user: Any, attempt: Any) -> bool:
    """Its certificate PDF and badge: the member's own only, as every certificate."""
    return _signed_in(user) and user.id == attempt.user_id
