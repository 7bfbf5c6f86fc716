"""Any input to any page gets an answer, never a 500, and a refusal writes nothing (issue 11).

Every route of the URL map is fuzzed (a test fails when a route has no entry in TARGETS), as
the person who may use it, with its form's fields (read from the FlaskForm classes) and,
on GET pages, its query string: unicode digits, huge numbers, control characters, dates
no one means and text longer than each column. PostgreSQL refuses a string longer than
its column where SQLite stores it, so every form's Length(max=) must fit the column.
"""

from __future__ import annotations

import inspect
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter
from wtforms import (
    DateField,
    DateTimeField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    TimeField,
)
from wtforms.fields.choices import SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from esp_registry.accounts.forms import (
    AccountForm,
    ChangePasswordForm,
    CloseAccountForm,
    ForgotPasswordForm,
    NewPasswordForm,
    SignInForm,
    SignUpForm,
)
from esp_registry.accounts.models import Role, User
from esp_registry.accounts.people_forms import DeactivateForm, GrantRoleForm
from esp_registry.attendance import rules as attendance_rules
from esp_registry.attendance.models import AttendanceStatus
from esp_registry.badges.forms import BadgeEmailForm, VerifyForm
from esp_registry.catalog.manage_forms import CancelForm, FacilitatorForm, OfferingForm, SessionForm
from esp_registry.catalog.models import OfferingStatus
from esp_registry.certificates.rules import issue_certificate, request_print_job
from esp_registry.certificates.transcript import issue_code, transcript_for
from esp_registry.columns import utcnow
from esp_registry.credit.outside import rules as outside_rules
from esp_registry.credit.outside.forms import DecisionForm as OutsideDecisionForm
from esp_registry.credit.outside.forms import OutsideTrainingForm
from esp_registry.credit.outside.models import OutsideKind, OutsideTraining
from esp_registry.credit.required.forms import OverdueFiltersForm, RequirementForm
from esp_registry.credit.required.models import RenewalKind, RequiredTraining
from esp_registry.credit.units import rules as credit_unit_rules
from esp_registry.credit.units.forms import NewRuleForm, RuleForm, UnitForm
from esp_registry.credit.units.models import CreditRule
from esp_registry.extensions import db
from esp_registry.lft.forms import AlternateForm, ApplicationForm, CycleForm, DecisionForm
from esp_registry.lft.models import LftApplication, LftEvent
from esp_registry.lft.rules import WORD_LIMITS
from esp_registry.mentoring import rules as mentoring_rules
from esp_registry.mentoring.forms import LogForm, MatchForm, MentorForm, RequestForm
from esp_registry.mentoring.models import MentoringRequest
from esp_registry.microcredentials.assess_forms import PrecheckForm, ReassignForm
from esp_registry.microcredentials.forms import EvidenceForm as McEvidenceForm
from esp_registry.microcredentials.forms import FileForm as McFileForm
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Score,
    Submission,
    SubmissionStatus,
)
from esp_registry.reference.forms import (
    AffiliateForm,
    JobFamilyForm,
    LocalForm,
    MergeLocalForm,
    ProgramForm,
)
from esp_registry.reference.models import Local
from esp_registry.registrations import rules as registration_rules
from esp_registry.reports.forms import ReportFilters
from tests import factories, outside_files
from tests.conftest import Actions
from tests.integration.input_world import table_counts
from tests.integration.mc_member_world import microcredential_member_world
from tests.integration.mentoring_world import graduate, mentee, mentor, paired
from tests.integration.microcredential_world import awarded
from tests.integration.test_lft_world import endorsed, make_cycle, member, reviewer, submitted
from tests.integration.test_mc_assessment import submitted as mc_submitted
from tests.integration.test_offering_management import admin, approver

# ---------------------------------------------------------------------------- values

LENGTHS = [2, 3, 21, 61, 65, 81, 121, 161, 201, 255, 501, 2001, 4001, 5001, 8001, 20_000]
NUMBERISH = [
    "\u00b2",
    "\u0663",
    "\uff11",  # fullwidth one
    "1e309",
    "-1e309",
    "99999999999999999999",
    str(2**31),
    str(2**63),
    "-0",
    " 1",
    "1 ",
    "0",
    "1",
    "5",
    "24",
    "24.01",
    "0.25",
    "1,5",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "0x1F",
    "1_000",
    "1" * 5000,
]
DATEISH = [
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2031-01-05T09:00",
    "2026-02-30T10:00",
    "2031-13-01T00:00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2031-01-05",
    "24:00",
    "23:59",
    "09:00",
    "-1:00",
]
values = st.one_of(
    st.text(max_size=60),  # any code point but surrogates: controls, NUL, RTL marks
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=12),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(NUMBERISH),
    st.sampled_from(DATEISH),
    st.sampled_from(LENGTHS).flatmap(
        lambda n: st.sampled_from(["x" * n, "\u00e9" * n, ("word " * n)[:n], "\u3042" * n])
    ),
    st.just(""),
)
QUERY_NAMES = [
    "q",
    "job_family",
    "host",
    "format",
    "code",
    "affiliate",
    "family",
    "sort",
    "next",
    "page",
    "role",
    "lang",
    "affiliate_id",
    "cursor",
    "from",
    "history_page",
    "history_cursor",
    "program",
    "year_from",
    "year_to",
    "status",
    "kind",
    "requirement",
]
PAGED_ROWS = [
    "catalog-rows",
    "manage-rows",
    "approvals",
    "facilitate-rows",
    "past-rows",
    "certificate-rows",
    "history-rows",
    "people-rows",
    "local-rows",
    "registration-rows",
    "roster-rows",
    "lft-queue",
    "review-list",
    "pairing-rows",
    "request-rows",
    "unit-rows",
    "outside-rows",
    "queue-rows",
    "offering-rows",
    "program-rows",
    "text-rows-1",
    "requirement-rows",
    "overdue-rows",
    "precheck-rows",
    "assessment-rows",
]
FILLS = ["x", "\u00e9", "\u3042", "a\u0301"]  # one, two and three bytes; a combining mark


def around(limit: int) -> st.SearchStrategy[str]:
    """Text of exactly the limit and one past it: PostgreSQL refuses what SQLite keeps."""
    return st.sampled_from([limit, limit + 1]).flatmap(
        lambda n: st.sampled_from(FILLS).map(lambda fill: (fill * n)[:n])
    )


NUMBERS = st.one_of(
    st.sampled_from(NUMBERISH),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
DATETIMES = st.one_of(
    st.sampled_from(DATEISH),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
)
DATES = st.one_of(st.sampled_from(DATEISH), st.dates().map(lambda d: d.isoformat()))
TIMES = st.one_of(st.sampled_from(DATEISH), st.times().map(lambda t: t.isoformat("minutes")))
KINDS = {"number": NUMBERS, "datetime": DATETIMES, "date": DATES, "time": TIMES}
# Inputs read straight from request.form, with their limits (the rules cut or refuse).
PLAIN_FIELDS = {
    "reason": st.one_of(around(500), around(4000)),
    "comment": st.one_of(around(2000), around(500)),
    "hours": NUMBERS,
    "rank": NUMBERS,
    "status": st.sampled_from(["present", "absent", "PRESENT", "late", ""]),
    "next": st.sampled_from(["/", "//evil.example", "/\\evil", "https://evil.example", "/x" * 300]),
    "back": st.sampled_from(["offering", "", "x"]),
    "action": st.sampled_from(["submit", "save", ""]),
    "internal": st.sampled_from(["y", "", "0"]),
}
FIELD_VALUES: dict[str, st.SearchStrategy[str]] = {}
FIELD_KIND: dict[str, str] = {}
FIELD_LIMIT: dict[str, int] = {}
PLAIN_LIMITS = {"reason": 500, "comment": 2000}
PLAIN_NUMBERS = {"hours", "rank", "mentor_profile_id"}


def form_fields(form_class: type) -> list[str]:
    """The fields a FlaskForm class declares (its own and inherited), but the CSRF token;
    what each field reads (number, date, text up to its Length) sharpens its values."""
    members = inspect.getmembers(form_class, lambda v: isinstance(v, UnboundField))
    for name, unbound in members:
        kind = unbound.field_class
        checks = unbound.kwargs.get("validators") or []
        limits = [v.max for v in checks if isinstance(v, Length) and v.max and v.max > 0]
        if issubclass(kind, DateTimeLocalField | DateTimeField):
            FIELD_KIND[name] = "datetime"
        elif issubclass(kind, DateField):
            FIELD_KIND[name] = "date"
        elif issubclass(kind, TimeField):
            FIELD_KIND[name] = "time"
        elif issubclass(kind, IntegerField | DecimalField | SelectFieldBase):
            FIELD_KIND[name] = "number"
        if limits:
            FIELD_LIMIT[name] = max(limits[0], FIELD_LIMIT.get(name, 0))
        if name in FIELD_KIND:
            sharp = KINDS[FIELD_KIND[name]]
        elif limits:
            sharp = around(limits[0])
        else:
            sharp = values
        FIELD_VALUES[name] = st.one_of(sharp, FIELD_VALUES.get(name, sharp))
    return [name for name, _unbound in members]


def value_for(name: str) -> st.SearchStrategy[str]:
    sharp = FIELD_VALUES.get(name)
    if sharp is None:  # a strategy is never False: test for None, not truth
        sharp = PLAIN_FIELDS.get(name)
    if name.startswith("criterion_"):
        sharp = NUMBERS
    return st.one_of(sharp, sharp, values) if sharp is not None else values


# ---------------------------------------------------------------------------- the world


def build_world() -> dict[str, Any]:
    """Everyone and everything the routes act on, built once per test (hypothesis runs
    every example of a test in the same database)."""
    now = utcnow()
    staff = admin()
    ohio = approver("OH")
    fac = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    pat = factories.person("pat@example.org", name="Pat Member")
    olivia = factories.person("olivia@example.org", name="Olivia Waiting")
    running = factories.offering(
        "Running now", starts_in=-timedelta(minutes=30), facilitators=(fac,), host="OH"
    )
    registration = registration_rules.register(
        pat, running, now=running.sessions[0].starts_at - timedelta(days=1)
    ).registration
    attendance_rules.mark(running.sessions[0], registration, AttendanceStatus.PRESENT, fac)
    certificate = issue_certificate(registration)
    job, _created = request_print_job(running, staff)
    later = factories.offering(
        "Needs approval", host="OH", requires_affiliate_approval=True, waitlist_enabled=True
    )
    pending = registration_rules.register(olivia, later).registration
    draft = factories.offering(
        "Scratch draft", host="OH", status=OfferingStatus.DRAFT, facilitators=(fac,)
    )
    cycle = make_cycle(around=now)
    chosen = endorsed(member(1), cycle, by=ohio, now=now)
    waiting = submitted(member(2), cycle, now=now)
    reviewer(1)
    pairing = paired()
    assert mentoring_rules.log_activity(
        pairing,
        pairing.mentor,
        mentoring_rules.LogEntry("coaching", now.date(), Decimal("1"), "First talk"),
    ).ok
    open_request = mentee("newbie@example.org", name="Nia Newbie")
    spare = mentor("mentor2@example.org", name="Second Mentor")
    graduate(pat)
    local = Local(affiliate_id=factories.affiliate("OH").id, name="Test Local")
    db.session.add_all([local, Local(affiliate_id=local.affiliate_id, name="Other Local")])
    required = RequiredTraining(
        program_id=db.session.scalar(sa.text("SELECT MIN(id) FROM programs")),
        kind=RenewalKind.EXPIRY,
        valid_months=36,
        job_families=[factories.family("paraeducators")],
    )
    db.session.add(required)
    db.session.commit()
    unit = credit_unit_rules.add_unit(staff, code="CEU", name="Continuing Education Units").subject
    hours = {"hours_per_unit": Decimal(10)}
    credit_unit_rules.add_rule(staff, unit, None, hours)
    ohio_rule = credit_unit_rules.add_rule(staff, unit, factories.affiliate("OH"), hours).subject
    outside = outside_rules.Details(
        "Red Cross", "CPR", "", now.date() - timedelta(days=3), now.date(), Decimal(6)
    )
    proof = outside_files.pdf()
    pending_outside = outside_rules.record(pat, outside, OutsideKind.COMPLETED, proof)
    asked = outside_rules.record(pat, outside, OutsideKind.PRE_APPROVAL, None).result.subject
    assert outside_rules.decide(asked, ohio, approve=True).result.ok
    transcript_code = issue_code(transcript_for(pat))
    mc = mc_world(pat)
    awarded_attempt = awarded(pat, "Awarded micro-credential", now - timedelta(days=2))
    return {
        **mc,
        "training_id": pending_outside.result.subject.id,
        "preapproved_id": asked.id,
        "offering_id": running.id,
        "session_id": running.sessions[0].id,
        "registration_id": registration.id,
        "pending_registration_id": pending.id,
        "later_offering_id": later.id,
        "draft_offering_id": draft.id,
        "draft_session_id": draft.sessions[0].id,
        "user_id": fac.id,
        "certificate_id": certificate.id,
        "job_id": job.id,
        "cycle_id": cycle.id,
        "application_id": chosen.id,
        "waiting_application_id": waiting.id,
        "criteria": [c.id for c in cycle.criteria],
        "pairing_id": pairing.id,
        "log_id": pairing.logs[0].id,
        "request_id": open_request.id,
        "spare_profile_id": spare.id,
        "check_in_token": attendance_rules.check_in_token(running.sessions[0], "test-secret"),
        "leave_token": registration_rules.leave_token(pending),
        "staff_id": staff.id,
        "pat_id": pat.id,
        "program_id": db.session.scalar(sa.text("SELECT MIN(id) FROM programs")),
        "family_id": factories.family("paraeducators").id,
        "affiliate_id": factories.affiliate("OH").id,
        "local_id": local.id,
        "grant_id": fac.role_grants[0].id,
        "unit_id": unit.id,
        "rule_id": ohio_rule.id,
        "requirement_id": required.id,
        "transcript_code_id": transcript_code.id,
        "awarded_attempt_id": awarded_attempt.id,
        **microcredential_member_world(pat),
    }


def mc_world(pat: User) -> dict[str, Any]:
    """Micro-credentials: a submission waiting for pre-check, and one with the assessor
    (its second assessment never done, so scoring the first decides nothing)."""
    for n, email in enumerate(
        ("assessor@example.org", "assessor2@example.org", "assessor3@example.org")
    ):
        factories.person(email, name=f"Assessor {n}", roles=((Role.ASSESSOR, None),))
    mc = factories.microcredential("Fuzzed micro-credential", components=2, criteria=1)
    waiting = mc_submitted(pat, mc)
    other = factories.person("scored@example.org", name="Sam Scored")
    scoring = mc_submitted(other, mc)
    scoring.status = SubmissionStatus.ASSESSING
    first = Assessment(
        submission_id=scoring.id,
        assessor_id=db.session.scalar(
            sa.select(User.id).where(User.email == "assessor@example.org")
        ),
        role=AssessorRole.FIRST,
    )
    second = Assessment(
        submission_id=scoring.id,
        assessor_id=db.session.scalar(
            sa.select(User.id).where(User.email == "assessor2@example.org")
        ),
        role=AssessorRole.SECOND,
    )
    db.session.add_all([first, second])
    db.session.commit()
    return {
        "mc_submission_id": waiting.id,
        "mc_assessment_id": first.id,
        "mc_other_assessment_id": second.id,
        "mc_criteria": [c.id for component in mc.components for c in component.criteria],
    }


ROLES = {
    "visitor": None,
    "member": "pat@example.org",
    "applicant": "applicant1.oh@example.org",
    "newbie": "newbie@example.org",
    "mentor": "mentor@example.org",
    "approver": "approver.oh@example.org",
    "facilitator": "fac@example.org",
    "reviewer": "reviewer1@example.org",
    "admin": "admin@example.org",
    "assessor": "assessor@example.org",
}


@dataclass
class World:
    ids: dict[str, Any]
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]


_WORLDS: dict[int, World] = {}


def the_world(app: Flask) -> World:
    """The world of this test's database, with a signed-in client per role."""
    marker = db.session.scalar(sa.select(User.id).where(User.email == "fac@example.org"))
    known = _WORLDS.get(id(app))
    if known is not None and marker is not None and known.ids["user_id"] == marker:
        return known
    ids = build_world()
    clients, tokens = {}, {}
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            assert Actions(client).sign_in(email).status_code == 302, role
        page = client.get("/").get_data(as_text=True)
        tokens[role] = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        clients[role] = client
    _WORLDS[id(app)] = World(ids, clients, tokens)
    return _WORLDS[id(app)]


# ---------------------------------------------------------------------------- the routes


@dataclass(frozen=True)
class Target:
    role: str
    fields: tuple[str, ...] = ()
    ids: dict[str, str] = field(default_factory=dict)  # URL argument -> world key
    base: str = ""  # the name of a valid payload (BASES), so a change gets deep

    def __hash__(self) -> int:
        return id(self)


MANAGE = {"offering_id": "draft_offering_id", "session_id": "draft_session_id"}
PENDING = {"registration_id": "pending_registration_id"}
WAITING = {"application_id": "waiting_application_id"}
NEXT = ("next",)
MC_SUBMISSION = {"submission_id": "mc_submission_id"}
MC_ASSESSMENT = {"assessment_id": "mc_assessment_id"}


EVALUATION_SETUP = (
    "required_for_certificate",
    *(f"questions-{n}-{part}" for n in (0, 9) for part in ("kind", "prompt", "low_label")),
)


def fields_of(*forms: type, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(name for form in forms for name in form_fields(form)) + extra


# endpoint -> who uses it and what it reads (GET pages get QUERY_NAMES on top).
TARGETS: dict[str, Target] = {
    "static": Target("visitor"),
    "favicon": Target("visitor"),
    "catalog.index": Target("visitor"),
    "catalog.job_family": Target("visitor"),
    "catalog.offering": Target("visitor"),
    "registrations.offering_ics": Target("visitor"),
    "certificates.verify_form": Target("visitor"),
    "certificates.verify": Target("visitor"),
    "accounts.sign_in": Target("visitor", fields_of(SignInForm), base="sign_in"),
    "accounts.sign_up": Target("visitor", fields_of(SignUpForm), base="sign_up"),
    "accounts.sign_out": Target("visitor"),
    # Signing out everywhere would sign the fuzzing member out: tried as a visitor.
    "accounts.sign_out_everywhere": Target("visitor"),
    "accounts.security": Target("member"),
    # No valid base: a password is never really changed, an account never really closed.
    "accounts.change_password": Target("member", fields_of(ChangePasswordForm)),
    "accounts.close_account": Target("member", fields_of(CloseAccountForm)),
    "accounts.forgot_password": Target("visitor", fields_of(ForgotPasswordForm)),
    "accounts.reset_password": Target("visitor", fields_of(NewPasswordForm)),
    "accounts.confirm_email": Target("visitor"),
    "accounts.confirm_email_change": Target("visitor"),
    "accounts.resend_confirmation": Target("member"),
    "accounts.account": Target("member", fields_of(AccountForm), base="account"),
    "accounts.save_language": Target("member", ("language", "next")),
    "accounts.download_my_data": Target("member"),
    "people.directory": Target("admin"),
    "people.person": Target("approver", (), {"user_id": "pat_id"}),
    "people.grant": Target("admin", fields_of(GrantRoleForm), base="grant"),
    "people.revoke": Target("admin"),
    "people.deactivate": Target("admin", fields_of(DeactivateForm), base="deactivate"),
    "people.reactivate": Target("admin"),
    "accounts.local_options": Target("visitor"),
    # Reference data edits persist between tests: the fuzz tests keep and restore it.
    "reference.index": Target("admin"),
    "reference.program": Target("admin", fields_of(ProgramForm)),
    "reference.job_family": Target("admin", fields_of(JobFamilyForm)),
    "reference.affiliate": Target("admin", fields_of(AffiliateForm)),
    "reference.add_local": Target("admin", fields_of(LocalForm)),
    "reference.local": Target("admin", fields_of(LocalForm)),
    "reference.merge_local": Target("admin", fields_of(MergeLocalForm)),
    "reference.deactivate_local": Target("admin"),
    "reference.reactivate_local": Target("admin"),
    "registrations.leave_by_link": Target("visitor"),
    "registrations.register": Target("member", ("back",), {"offering_id": "later_offering_id"}),
    "registrations.my_trainings": Target("member"),
    "registrations.cancel": Target("member", ("back",)),
    "registrations.accept": Target("member", ("back",)),
    "registrations.ics": Target("member"),
    "registrations.approvals": Target("approver"),
    "registrations.approve": Target("approver", ("reason", "next"), PENDING),
    "registrations.decline": Target("approver", ("reason", "next"), PENDING),
    "registrations.staff_cancel": Target("approver", ("reason", "next"), PENDING),
    "certificates.download": Target("member"),
    "badges.issuer": Target("visitor"),
    "badges.jwks": Target("visitor"),
    "badges.image": Target("visitor"),
    "badges.status_list": Target("visitor"),
    "badges.credential": Target("visitor"),
    "badges.download": Target("member"),
    "badges.download_image": Target("member"),
    "badges.mentoring_download": Target("mentor"),
    "badges.mentoring_download_image": Target("mentor"),
    "badges.verify_page": Target("visitor", fields_of(VerifyForm)),
    "badges.email": Target("member", fields_of(BadgeEmailForm)),
    "badges.remove_email": Target("member"),
    "badges.confirm_email": Target("visitor"),
    "badges.download_png": Target("member"),
    "badges.mentoring_download_png": Target("mentor"),
    "badges.transcript_current": Target("member"),
    "badges.transcript_download": Target("member", ids={"code_id": "transcript_code_id"}),
    "certificates.transcript": Target("member"),
    "certificates.transcript_download": Target("member"),
    "certificates.mentoring_download": Target("mentor"),
    "certificates.offering_certificates": Target("facilitator"),
    "certificates.start_print": Target("facilitator"),
    "certificates.print_job": Target("facilitator"),
    "certificates.print_download": Target("facilitator"),
    "certificates.revoke": Target("admin", ("reason",)),
    "attendance.facilitate": Target("facilitator"),
    "attendance.roster": Target("facilitator"),
    "attendance.mark_all": Target("facilitator", ("q", "page")),
    "attendance.hours": Target("facilitator", ("hours", "q", "page")),
    "attendance.mark": Target("facilitator", ("status", "q", "page")),
    "attendance.check_in_screen": Target("facilitator"),
    "attendance.sign_in_sheet": Target("facilitator"),
    "attendance.check_in": Target("member"),
    "manage.index": Target("admin"),
    "manage.new_offering": Target("admin", fields_of(OfferingForm), base="offering"),
    "manage.edit_offering": Target("admin", fields_of(OfferingForm), MANAGE, base="offering"),
    "manage.offering": Target("admin", (), MANAGE),
    "manage.add_session": Target("approver", fields_of(SessionForm), MANAGE, base="session"),
    "manage.edit_session": Target("admin", fields_of(SessionForm), MANAGE, base="session"),
    "manage.remove_session": Target("admin", (), MANAGE),
    "manage.assign_facilitator": Target("approver", fields_of(FacilitatorForm), MANAGE),
    "manage.unassign_facilitator": Target("admin", (), MANAGE),
    "manage.publish": Target("admin", (), MANAGE),
    "manage.complete": Target("admin", (), MANAGE),
    "manage.cancel": Target("approver", fields_of(CancelForm), MANAGE),
    "lft.index": Target("member"),
    "lft.apply": Target("member", fields_of(ApplicationForm, extra=("action",)), base="apply"),
    "lft.autosave": Target("member", fields_of(ApplicationForm), base="apply"),
    "lft.words": Target("member", tuple(WORD_LIMITS)),
    "lft.application": Target("applicant"),
    "lft.withdraw": Target("applicant"),
    "lft.confirm": Target("applicant"),
    "lft.refuse": Target("applicant", ("comment",)),
    "lft.queue": Target("approver"),
    "lft.endorse": Target("approver", fields_of(DecisionForm, extra=NEXT), WAITING),
    "lft.decline": Target("approver", fields_of(DecisionForm, extra=NEXT), WAITING),
    "lft.export": Target("approver"),
    "lft.review": Target("admin"),
    "lft.score": Target("reviewer", ("criterion",), base="score"),
    "lft.select": Target("admin", NEXT),
    "lft.alternate": Target("admin", fields_of(AlternateForm, extra=NEXT)),
    "lft.reset": Target("admin", NEXT),
    "lft.release": Target("admin"),
    "lft.cycles": Target("admin"),
    "lft.edit_cycle": Target("admin", fields_of(CycleForm), base="cycle"),
    "mentoring.index": Target("mentor"),
    "mentoring.mentor": Target("mentor", fields_of(MentorForm), base="mentor"),
    "mentoring.pause": Target("mentor"),
    "mentoring.resume": Target("mentor"),
    "mentoring.withdraw_mentor": Target("mentor"),
    "mentoring.ask": Target("newbie", fields_of(RequestForm), base="ask"),
    "mentoring.withdraw_request": Target("newbie"),
    "mentoring.queue": Target("approver"),
    "mentoring.pairings": Target("approver"),
    "mentoring.request_page": Target("approver"),
    "mentoring.match": Target("approver", fields_of(MatchForm, extra=NEXT), base="match"),
    "mentoring.pairing": Target("mentor"),
    "mentoring.log_activity": Target("mentor", fields_of(LogForm), base="log"),
    "mentoring.delete_log": Target("mentor"),
    "mentoring.end": Target("mentor", ("reason", "next")),
    "mentoring.complete": Target("approver", NEXT),
    "reports.index": Target("approver", fields_of(ReportFilters)),
    "reports.participation": Target("approver", fields_of(ReportFilters)),
    "reports.attendance": Target("admin", fields_of(ReportFilters)),
    "reports.certificates": Target("approver", fields_of(ReportFilters)),
    "reports.lft": Target("admin", fields_of(ReportFilters)),
    "reports.mentoring": Target("approver", fields_of(ReportFilters)),
    "reports.table_csv": Target("approver", fields_of(ReportFilters)),
    "reports.registrations_csv": Target("admin", fields_of(ReportFilters)),
    "credit_units.index": Target("approver"),
    "credit_units.new_unit": Target("admin", fields_of(UnitForm), base="unit"),
    "credit_units.unit": Target("approver"),
    "credit_units.edit_unit": Target("admin", fields_of(UnitForm), base="unit"),
    "credit_units.deactivate_unit": Target("admin"),
    "credit_units.reactivate_unit": Target("admin"),
    "credit_units.new_rule": Target("approver", fields_of(NewRuleForm), base="new_rule"),
    "credit_units.rule": Target("approver", fields_of(RuleForm), base="rule"),
    "credit_units.remove_rule": Target("admin"),
    "outside.mine": Target("member"),
    "outside.new": Target(
        "member", fields_of(OutsideTrainingForm, extra=("kind",)), base="outside"
    ),
    "outside.complete": Target(
        "member", fields_of(OutsideTrainingForm), {"training_id": "preapproved_id"}, "outside"
    ),
    "outside.request_page": Target("approver"),
    "outside.decide": Target(
        "approver", fields_of(OutsideDecisionForm, extra=("decision",)), base="outside_decision"
    ),
    "outside.proof": Target("approver"),
    "outside.queue": Target("approver"),
    "reports.evaluations": Target("approver", fields_of(ReportFilters)),
    "reports.evaluations_csv": Target("approver", fields_of(ReportFilters)),
    # evaluations (their own hypothesis tests: tests/integration/test_credit_evaluations.py)
    "evaluations.index": Target("facilitator"),
    "evaluations.setup_program": Target("admin", EVALUATION_SETUP),
    "evaluations.setup_offering": Target("approver", EVALUATION_SETUP, MANAGE),
    "evaluations.results": Target("facilitator"),
    "evaluations.answer": Target("member"),
    "evaluations.remove": Target("approver", ids={"evaluation_id": "draft_offering_id"}),
    "required.requirements": Target("admin"),
    "required.new_requirement": Target("admin", fields_of(RequirementForm), base="requirement"),
    "required.requirement": Target("admin", fields_of(RequirementForm), base="requirement"),
    "required.retire": Target("admin"),
    "required.overdue": Target("approver", fields_of(OverdueFiltersForm)),
    "required.overdue_csv": Target("approver", fields_of(OverdueFiltersForm)),
    # micro-credentials: pre-check and assessment (the scoring form's own hypothesis test:
    # tests/integration/test_mc_assessment_fuzz.py)
    "mc_assessment.precheck_queue": Target("admin"),
    "mc_assessment.submission_page": Target("admin", ids=MC_SUBMISSION),
    "mc_assessment.precheck": Target(
        "admin", fields_of(PrecheckForm, extra=("decision",)), MC_SUBMISSION, "mc_precheck"
    ),
    "mc_assessment.assign_lead": Target("admin", ids=MC_SUBMISSION),
    "mc_assessment.reassign": Target(
        "admin", fields_of(ReassignForm), {"assessment_id": "mc_other_assessment_id"}
    ),
    "mc_assessment.mine": Target("assessor"),
    "mc_assessment.score": Target("assessor", ("comment",), MC_ASSESSMENT, "mc_score"),
    # micro-credentials, the member's side
    "microcredentials.index": Target("member"),
    "microcredentials.detail": Target("member"),
    "microcredentials.stack": Target("member"),
    "microcredentials.start": Target("member"),
    "microcredentials.mine": Target("member"),
    "microcredentials.attempt": Target("member"),
    "microcredentials.save": Target("member", fields_of(McEvidenceForm), base="mc_evidence"),
    "microcredentials.attach": Target("member", fields_of(McFileForm)),
    "microcredentials.submit": Target("member"),
    "microcredentials.withdraw": Target("member"),
    "microcredentials.coach": Target("member"),
    "microcredentials.version": Target("member"),
    "microcredentials.submitted_file": Target("member"),
    "microcredentials.draft_file": Target("member"),
    "mc_awards.award": Target("member", ids={"attempt_id": "awarded_attempt_id"}),
    "mc_awards.certificate_pdf": Target("member", ids={"attempt_id": "awarded_attempt_id"}),
    "mc_awards.badge": Target("member", ids={"attempt_id": "awarded_attempt_id"}),
}


def bases(world: World) -> dict[str, dict[str, Any]]:
    """Valid payloads: a fuzzed field among valid ones reaches the rules and the database."""
    ids = world.ids
    today = utcnow().date()
    return {
        "sign_in": {"email": "pat@example.org", "password": "wrong"},
        "account": {
            "full_name": "Pat Member",
            "email": "pat@example.org",
            "affiliate_id": str(factories.affiliate("OH").id),
            "local_name": "Test Local",
            "job_family_id": str(factories.family("paraeducators").id),
            "job_title": "Tester",
            "started_job_on": "2024-08-19",
            "preferred_language": "en",
        },
        "grant": {"role": "reviewer", "affiliate_id": "0"},
        "deactivate": {"reason": "Left the district"},
        "sign_up": {
            "full_name": "Rosa Martinez",
            "email": "rosa@example.org",
            "password": "long enough password",
            "confirm": "long enough password",
            "affiliate_id": str(factories.affiliate("OH").id),
            "local_name": "Columbus EA",
            "job_family_id": str(factories.family("food-services").id),
            "job_title": "Cafeteria Manager",
        },
        "offering": {
            "program_id": str(db.session.scalar(sa.text("SELECT MIN(id) FROM programs"))),
            "title": "Fuzzed training",
            "host_affiliate_id": str(factories.affiliate("OH").id),
            "format": "in_person",
            "venue": "Columbus",
            "timezone": "America/New_York",
            "promotion_mode": "confirm",
            "parent_id": "0",
            "capacity": "20",
        },
        "session": {
            "title": "Day 1",
            "day": (today + timedelta(days=40)).isoformat(),
            "starts": "09:00",
            "ends": "15:00",
            "contact_hours": "6",
        },
        "apply": {
            "leadership_experience": "Steward for five years.",
            "essay_why": "To grow.",
            "essay_vision": "Mentor new members.",
            "years_as_esp": "6",
            "president_name": "Pat Lee",
            "president_email": "pat@local.example.org",
            "commitment": "y",
            "action": "save",
        },
        "score": {f"criterion_{c}": "3" for c in ids["criteria"]},
        "cycle": {
            "year": "2040",
            "opens": "2040-01-05T09:00",
            "closes": "2040-02-05T17:00",
            "review_deadline": "2040-03-05T17:00",
            "decision_date": "2040-04-05T17:00",
            "cohort_size": "20",
            "confirm_within_days": "14",
            "criteria": "Leadership: what they led",
        },
        "mentor": {
            "job_family_id": str(factories.family("paraeducators").id),
            "affiliate_id": str(factories.affiliate("OH").id),
            "local_name": "Test Local",
            "capacity": "2",
            "note": "Glad to help",
        },
        "ask": {
            "job_family_id": str(factories.family("paraeducators").id),
            "affiliate_id": str(factories.affiliate("OH").id),
            "local_name": "Test Local",
            "started_job_on": (today - timedelta(days=100)).isoformat(),
            "help_with": "Everything",
        },
        "match": {"mentor_profile_id": str(ids["spare_profile_id"])},
        "log": {"activity": "coaching", "on_date": today.isoformat(), "hours": "0.5"},
        "unit": {"code": "PDP", "name": "Professional Development Points", "name_es": ""},
        "rule": {"hours_per_unit": "1", "rounding": "down_whole", "yearly_cap": "20"},
        "new_rule": {
            "scope": str(factories.affiliate("OH").id),
            "hours_per_unit": "3",
            "rounding": "nearest_tenth",
            "microcredentials_per_block": "2",
            "units_per_block": "10",
        },
        "outside": {
            "kind": "pre_approval",  # reaches the database without a file (posts carry none)
            "provider": "Red Cross",
            "title": "CPR",
            "starts_on": (today - timedelta(days=3)).isoformat(),
            "ends_on": today.isoformat(),
            "hours": "6",
            "summary": "Evening course",
        },
        "outside_decision": {"decision": "approve", "hours": "6", "decision_note": "Fine"},
        "requirement": {
            "program": str(db.session.scalar(sa.text("SELECT MAX(id) FROM programs"))),
            "job_families": str(factories.family("food-services").id),
            "kind": "hours",
            "hours_per_year": "10",
        },
        "mc_precheck": {"decision": "incomplete", "note": "Component 2 is missing."},
        "mc_score": {
            **{f"c{c}": "met" for c in ids["mc_criteria"]},
            "comment": "Well done.",
        },
        "mc_evidence": {"text": "Revised words", "revision": "1"},
    }


def url_for_rule(rule: Any, target: Target, world: World, path_value: str | None) -> str:
    url = rule.rule
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            filler = str(world.ids[target.ids.get(name, name)])
        elif name == "token":
            known = "leave_token" if "waitlist" in rule.rule else "check_in_token"
            filler = path_value if path_value is not None else world.ids[known]
        elif name == "field":
            filler = path_value if path_value is not None else "essay_why"
        elif name == "slug":
            filler = path_value if path_value is not None else "paraeducators"
        elif name == "filename":
            filler = "style.css"
        else:
            filler = path_value if path_value is not None else "x"
        # A path part is one segment: "/" and "?" would be another route or a query.
        filler = filler.replace("/", "-").replace("?", "-").replace("#", "-") or "x"
        url = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", lambda _m, f=filler: f, url)
    return url


def routes(app: Flask) -> list[tuple[Any, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in ("GET", "POST"):
            if method in rule.methods:
                found.append((rule, method))
    return sorted(found, key=lambda rm: (rm[0].rule, rm[1]))


def test_every_route_is_fuzzed(app):
    missing = {rule.endpoint for rule, _m in routes(app)} - set(TARGETS)
    assert not missing, f"add these endpoints to TARGETS: {sorted(missing)}"
    # Every input a template renders is fuzzed somewhere (form fields or TARGETS extras).
    names = set()
    for template in Path(app.template_folder).rglob("*.html"):
        names |= set(re.findall(r'\bname="([a-z_]+)"', template.read_text()))
    fuzzed = {f for t in TARGETS.values() for f in t.fields} | set(QUERY_NAMES)
    fuzzed |= {"csrf_token", "viewport", "criterion"}
    assert names <= fuzzed, sorted(names - fuzzed)


# ---------------------------------------------------------------------------- the fuzz


def client_for(ctx: Flask, world: World, target: Target, endpoint: str):  # type: ignore[no-untyped-def]
    if target.role == "visitor" and endpoint.startswith("accounts."):
        client = ctx.test_client()  # sign in, up or out from a browser of its own
        page = client.get("/").get_data(as_text=True)
        return client, re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    return world.clients[target.role], world.tokens[target.role]


def send(
    ctx: Flask,
    world: World,
    rule: Any,
    method: str,
    fields: dict[str, str],
    *,
    path_value: str | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """One request as the target's person; never a 500, and a refusal changes no row."""
    target = TARGETS[rule.endpoint]
    url = url_for_rule(rule, target, world, path_value)
    client, token = client_for(ctx, world, target, rule.endpoint)
    before = table_counts()
    if method == "GET":
        response = client.get(url, query_string=fields, headers=headers or {})
    else:
        payload = {**fields, "csrf_token": token}
        response = client.post(url, data=payload, headers=headers or {})
    code = response.status_code
    assert code < 500, f"{method} {url} {fields!r:.300} -> {code}"
    if 400 <= code < 500:
        assert table_counts() == before, f"{method} {url} {fields!r:.300} -> {code}, rows changed"
    start_over(rule.endpoint, code, world)
    return code


def form_names(target: Target, world: World) -> list[str]:
    names = list(target.fields)
    if "criterion" in names:
        names = [f"criterion_{c}" for c in world.ids["criteria"]]
    return names


def unique_values(target: Target, chosen: set[str], serial: int) -> dict[str, str]:
    """Unique values stay unique, so the next example is not refused for a repeat."""
    fresh = {}
    if target.base == "cycle" and "year" not in chosen:
        fresh["year"] = str(2041 + serial % 60)
    if target.base == "sign_up" and "email" not in chosen:
        fresh["email"] = f"rosa{serial}@example.org"
    if target.base == "offering" and "title" not in chosen:
        fresh["title"] = f"Fuzzed training {serial}"
    if target.base == "unit":
        fresh.update({n: f"Fuzzed unit {serial}" for n in ("code", "name") if n not in chosen})
    return fresh


def one_request(ctx: Flask, data: st.DataObject, area: tuple[str, ...]) -> None:
    world = the_world(ctx)
    choices = [(r, m) for r, m in routes(ctx) if r.endpoint.split(".")[0] in area]
    # Forms get more examples than buttons: they are where the inputs are.
    choices += [(r, m) for r, m in choices if m == "POST" and TARGETS[r.endpoint].fields] * 3
    rule, method = data.draw(st.sampled_from(choices), label="route")
    target = TARGETS[rule.endpoint]
    if rule.endpoint == "static":
        return
    free = [c for c in rule._converters.values() if not isinstance(c, IntegerConverter)]
    path_value = data.draw(st.none() | values, label="path value") if free else None
    headers = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
    if headers and rule.endpoint in ("lft.review", "catalog.index", "attendance.roster"):
        headers["HX-Target"] = data.draw(st.sampled_from(["review-rows", "results", ""]))
        headers["HX-Trigger"] = "search"
    elif headers and method == "GET":
        # "Show more" of a paged list: htmx names the list's rows (a page's bad cursor or
        # page number must still answer with rows, never a 500).
        headers["HX-Target"] = data.draw(st.sampled_from(PAGED_ROWS), label="rows")
    if method == "GET":
        fields = data.draw(
            st.dictionaries(st.sampled_from(QUERY_NAMES) | st.text(max_size=8), values, max_size=4),
            label="query",
        )
    else:
        fields = dict(bases(world).get(target.base, {}))
        names = form_names(target, world)
        if names:
            chosen = data.draw(
                st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True),
                label="fields",
            )
            fields.update({n: data.draw(value_for(n), label=n) for n in chosen})
            serial = data.draw(st.integers(min_value=0, max_value=10**6), label="serial")
            fields.update(unique_values(target, set(chosen), serial))
    send(ctx, world, rule, method, fields, path_value=path_value, headers=headers)


def start_over(endpoint: str, code: int, world: World) -> None:
    """Undo what would stop the next examples from reaching the same code."""
    if code >= 400:
        return
    if endpoint in ("lft.apply", "lft.autosave"):
        # A submitted application freezes the form: the member starts a new draft.
        pat = sa.select(User.id).where(User.email == "pat@example.org").scalar_subquery()
        mine = sa.select(LftApplication.id).where(LftApplication.user_id == pat)
        db.session.execute(sa.delete(LftEvent).where(LftEvent.application_id.in_(mine)))
        db.session.execute(sa.delete(LftApplication).where(LftApplication.user_id == pat))
        db.session.commit()
    if endpoint in ("required.new_requirement", "required.requirement", "required.retire"):
        # One current requirement per program: the world's one, current again, alone.
        kept = world.ids["requirement_id"]
        db.session.execute(sa.delete(RequiredTraining).where(RequiredTraining.id != kept))
        db.session.execute(
            sa.update(RequiredTraining).where(RequiredTraining.id == kept).values(retired_at=None)
        )
        db.session.commit()
    if endpoint == "mentoring.ask":
        # One open request at a time: this one is withdrawn (staff could match it).
        db.session.execute(
            sa.update(MentoringRequest)
            .where(
                MentoringRequest.status == "open", MentoringRequest.id != world.ids["request_id"]
            )
            .values(status="withdrawn", closed_at=utcnow())
        )
        db.session.commit()
    if endpoint in ("people.deactivate", "people.revoke"):
        # The facilitator the people pages act on is active and a facilitator again.
        db.session.execute(sa.update(User).values(deactivated_at=None))
        db.session.commit()
    if endpoint == "credit_units.remove_rule":
        # The Ohio rule the rule form edits is back (same id) for the next examples.
        db.session.add(
            CreditRule(
                id=world.ids["rule_id"],
                unit_id=world.ids["unit_id"],
                affiliate_id=world.ids["affiliate_id"],
                hours_per_unit=Decimal(10),
            )
        )
        db.session.commit()
    if endpoint == "outside.decide":
        # The request waits for a decision again, so the next example decides too.
        db.session.execute(
            sa.update(OutsideTraining)
            .where(OutsideTraining.id == world.ids["training_id"])
            .values(status="pending", decided_at=None, decided_by_id=None, approved_hours=None)
        )
        db.session.commit()
    if endpoint == "outside.complete":
        # One completion per pre-approval: the next example records it again.
        db.session.execute(
            sa.delete(OutsideTraining).where(
                OutsideTraining.pre_approval_id == world.ids["preapproved_id"]
            )
        )
        db.session.commit()
    if endpoint == "mentoring.withdraw_mentor":
        # Back as a mentor for the next examples.
        db.session.execute(sa.text("UPDATE mentor_profiles SET status = 'active'"))
        db.session.commit()
    if endpoint == "mc_assessment.precheck":
        # The submission waits for pre-check again (no assessors, the attempt submitted).
        waiting = world.ids["mc_submission_id"]
        db.session.execute(sa.delete(Assessment).where(Assessment.submission_id == waiting))
        db.session.execute(
            sa.update(Submission)
            .where(Submission.id == waiting)
            .values(
                status=SubmissionStatus.PRECHECK,
                prechecked_at=None,
                prechecked_by_id=None,
                precheck_note="",
                decided_at=None,
            )
        )
        attempt_id = sa.select(Submission.attempt_id).where(Submission.id == waiting)
        db.session.execute(
            sa.update(Attempt)
            .where(Attempt.id == attempt_id.scalar_subquery())
            .values(status=AttemptStatus.SUBMITTED)
        )
        db.session.commit()
    if endpoint == "mc_assessment.score":
        # The assessor's scores are not in yet, so the next example scores too.
        mine = world.ids["mc_assessment_id"]
        db.session.execute(sa.delete(Score).where(Score.assessment_id == mine))
        db.session.execute(
            sa.update(Assessment).where(Assessment.id == mine).values(completed_at=None)
        )
        db.session.commit()


FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)
AREAS = {
    "public and accounts": ("static", "favicon", "catalog", "accounts"),
    "registrations and certificates": ("registrations", "certificates", "badges"),
    "attendance": ("attendance",),
    "offering management": ("manage",),
    "leaders for tomorrow": ("lft",),
    "mentoring": ("mentoring",),
    "people": ("people",),
    "reference data": ("reference",),
    "reports": ("reports",),
    "credit units": ("credit_units",),
    "outside training": ("outside",),
    "evaluations": ("evaluations",),
    "required trainings": ("required",),
    "micro-credential assessment": ("mc_assessment",),
    "micro-credentials (member)": ("microcredentials",),
}


@pytest.mark.parametrize("area", list(AREAS))
@FUZZ
@given(data=st.data())
def test_fuzz_every_route(ctx, kept_reference, area, data):
    one_request(ctx, data, AREAS[area])


# The edges every field is tried at, one field at a time, the others valid.
EDGES = {
    "number": ["\u00b2", "\u0663", "1e309", str(2**31), str(2**63), "-0", " 1", "sNaN", "1" * 50],
    "datetime": ["9999-12-31T23:59", "0001-01-01T00:00", "1999-12-31T23:59", "2101-01-01T00:00"],
    "date": ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2026-02-30"],
    "time": ["24:00", "23:60", "-1:00", "99999:00"],
}


def edges_of(name: str) -> list[str]:
    kind = FIELD_KIND.get(name)
    if kind in EDGES:
        return EDGES[kind]
    limit = FIELD_LIMIT.get(name) or PLAIN_LIMITS.get(name)
    texts = []
    if limit:
        # One past first (refused), then the longest the column holds: that one reaches
        # the database before a one-shot action (decline, end) has been used up.
        texts += [(fill * n)[:n] for n in (limit + 1, limit) for fill in ("x", "\u3042")]
    texts += ["\u00b2", "\x01\x1f\x7f", "\u202e\u200b", " "]
    if name in PLAIN_NUMBERS or name.startswith("criterion_"):
        texts += EDGES["number"]
    return texts


@pytest.mark.parametrize("area", list(AREAS))
def test_every_field_at_its_edges(ctx, kept_reference, area):
    """Deterministic: each form field alone at each edge (column length and one past it,
    years 1 and 9999, unicode digits, huge numbers), the rest of the form valid."""
    world = the_world(ctx)
    serial = 0
    for rule, method in routes(ctx):
        target = TARGETS[rule.endpoint]
        if method != "POST" or rule.endpoint.split(".")[0] not in AREAS[area]:
            continue
        for name in form_names(target, world):
            for edge in edges_of(name):
                serial += 1
                fields = {**bases(world).get(target.base, {}), name: edge}
                fields.update(unique_values(target, {name}, serial))
                send(ctx, world, rule, method, fields)
