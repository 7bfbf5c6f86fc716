"""Micro-credentials (PRODUCT §14): a catalog of competencies by job family, grouped in
stacks; a member's attempt with its six-month window, evidence drafted per component and
submitted in versions; a completeness pre-check; two blind assessors and a lead who settles
disagreement; the award (a certificate of its own kind, see certificates.models).

The words: a *micro-credential* is the catalog entry; an *attempt* is one member working
on one micro-credential (one window); a *submission* is one version of their evidence sent
for assessment; an *assessment* is one assessor's scores of one submission.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.accounts.models import User
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import JobFamily

MAX_TITLE = 160
MAX_TEXT = 2000  # a description, a competency, a prompt
MAX_EVIDENCE = 20_000  # one component's written evidence (a few pages)
MAX_FEEDBACK = 2000
WINDOW_MONTHS = 6
COACH_AFTER_TRIES = 3  # after the third submission returned, a coach is offered


class Stack(db.Model):
    """Related micro-credentials shown together with the member's progress; `in_order`
    means each must be awarded before the next can be started."""

    __tablename__ = "microcredential_stacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    name_es: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.String(MAX_TEXT), default="")
    description_es: Mapped[str] = mapped_column(sa.String(MAX_TEXT), default="")
    in_order: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    microcredentials: Mapped[list[Microcredential]] = relationship(
        back_populates="stack", order_by="Microcredential.stack_position"
    )


class Microcredential(db.Model):
    """One catalog entry: a competency demonstrated through components of evidence, each
    judged against its rubric criteria."""

    __tablename__ = "microcredentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    name_es: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="", server_default="")
    competency: Mapped[str] = mapped_column(sa.String(MAX_TEXT))
    competency_es: Mapped[str] = mapped_column(sa.String(MAX_TEXT), default="")
    key_method: Mapped[str] = mapped_column(sa.String(MAX_TEXT), default="")
    key_method_es: Mapped[str] = mapped_column(sa.String(MAX_TEXT), default="")
    # None: open to every job family.
    job_family_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("job_families.id", ondelete="RESTRICT"), index=True
    )
    estimated_hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    # The contact hours it counts for on the transcript once awarded (the credit rules then
    # convert them, and count micro-credentials for rules that use them).
    credit_hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    stack_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("microcredential_stacks.id", ondelete="SET NULL"), index=True
    )
    stack_position: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    job_family: Mapped[JobFamily | None] = relationship()
    stack: Mapped[Stack | None] = relationship(back_populates="microcredentials")
    components: Mapped[list[Component]] = relationship(
        back_populates="microcredential",
        order_by="Component.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.CheckConstraint("estimated_hours > 0", name="estimated_hours_positive"),
        sa.CheckConstraint("credit_hours > 0", name="credit_hours_positive"),
        sa.CheckConstraint(
            "(stack_id IS NULL) = (stack_position IS NULL)", name="stack_has_position"
        ),
        sa.UniqueConstraint("stack_id", "stack_position", name="uq_microcredentials_stack_place"),
    )


class Component(db.Model):
    """One part of the evidence (overview questions, an artifact, a reflection)."""

    __tablename__ = "microcredential_components"

    id: Mapped[int] = mapped_column(primary_key=True)
    microcredential_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredentials.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    title_es: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    prompt: Mapped[str] = mapped_column(sa.String(MAX_TEXT))
    prompt_es: Mapped[str] = mapped_column(sa.String(MAX_TEXT), default="")
    # An artifact (a lesson plan, a photo of a posted notice) is a file; text may go with it.
    accepts_file: Mapped[bool] = mapped_column(default=False)

    microcredential: Mapped[Microcredential] = relationship(back_populates="components")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="component", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("microcredential_id", "position", name="uq_components_place"),
    )


class Criterion(db.Model):
    """One line of a component's rubric, scored Met or Not yet."""

    __tablename__ = "microcredential_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_components.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(sa.String(MAX_TEXT))
    text_es: Mapped[str] = mapped_column(sa.String(MAX_TEXT), default="")

    component: Mapped[Component] = relationship(back_populates="criteria")

    __table_args__ = (sa.UniqueConstraint("component_id", "position", name="uq_criteria_place"),)


class AttemptStatus(enum.StrEnum):
    DRAFTING = "drafting"  # writing evidence (first time, or revising after a return)
    SUBMITTED = "submitted"  # a submission is in pre-check or assessment
    AWARDED = "awarded"
    EXPIRED = "expired"  # the window ended before it was awarded
    WITHDRAWN = "withdrawn"  # the member stopped


OPEN_ATTEMPT_STATUSES = (AttemptStatus.DRAFTING, AttemptStatus.SUBMITTED)


class Attempt(db.Model):
    """One member working on one micro-credential within one six-month window."""

    __tablename__ = "microcredential_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    microcredential_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredentials.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[AttemptStatus] = mapped_column(
        str_enum(AttemptStatus, "attempt_status"), default=AttemptStatus.DRAFTING
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The last day evidence may be submitted (six months from the start, see rules).
    window_ends_on: Mapped[date] = mapped_column(sa.Date())
    submissions_count: Mapped[int] = mapped_column(default=0)
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # expired or withdrawn
    coach_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    microcredential: Mapped[Microcredential] = relationship()
    submissions: Mapped[list[Submission]] = relationship(
        back_populates="attempt", order_by="Submission.number"
    )

    __table_args__ = (
        # One open attempt per member and micro-credential (a second start is refused).
        sa.Index(
            "uq_microcredential_attempts_open",
            "user_id",
            "microcredential_id",
            unique=True,
            sqlite_where=sa.text("status IN ('drafting', 'submitted')"),
            postgresql_where=sa.text("status IN ('drafting', 'submitted')"),
        ),
        # Awarded once.
        sa.Index(
            "uq_microcredential_attempts_awarded",
            "user_id",
            "microcredential_id",
            unique=True,
            sqlite_where=sa.text("status = 'awarded'"),
            postgresql_where=sa.text("status = 'awarded'"),
        ),
        sa.CheckConstraint(
            "(status = 'awarded') = (awarded_at IS NOT NULL)", name="awarded_has_time"
        ),
        sa.CheckConstraint(
            "(status IN ('expired', 'withdrawn')) = (closed_at IS NOT NULL)",
            name="closed_has_time",
        ),
        sa.CheckConstraint("submissions_count >= 0", name="submissions_count_not_negative"),
        # The worker's expiry sweep and warnings read open attempts by their window's end.
        sa.Index("ix_microcredential_attempts_window", "status", "window_ends_on"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ATTEMPT_STATUSES


class Evidence(db.Model):
    """The member's working copy of one component's evidence, saved field by field as they
    type (autosave); a submission freezes a copy (SubmittedEvidence)."""

    __tablename__ = "microcredential_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_attempts.id", ondelete="CASCADE")
    )
    component_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_components.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text(), default="")
    # An uploaded file: a storage key (esp_registry.files.storage), its checked type, size
    # and the name the member gave it (shown back to them only).
    file_key: Mapped[str | None] = mapped_column(sa.String(64))
    file_type: Mapped[str] = mapped_column(sa.String(40), default="")
    file_size: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Bumped on each save, so a stale tab cannot overwrite newer text (see rules).
    revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "component_id", name="uq_evidence_component"),
        sa.CheckConstraint(f"length(text) <= {MAX_EVIDENCE}", name="text_length"),
    )


class SubmissionStatus(enum.StrEnum):
    PRECHECK = "precheck"  # waiting for staff's completeness check
    INCOMPLETE = "incomplete"  # returned at pre-check (nothing scored)
    ASSESSING = "assessing"  # with the two assessors
    LEAD = "lead"  # they disagree: with the lead assessor
    MET = "met"  # every criterion met: the micro-credential is awarded
    NOT_YET = "not_yet"  # returned with feedback
    CLOSED = "closed"  # the window ended or the member withdrew while it was pending


PENDING_SUBMISSION_STATUSES = (
    SubmissionStatus.PRECHECK,
    SubmissionStatus.ASSESSING,
    SubmissionStatus.LEAD,
)


class Submission(db.Model):
    """One version of the evidence, sent for assessment; every version is kept."""

    __tablename__ = "microcredential_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_attempts.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column()  # 1, 2, 3… within the attempt
    status: Mapped[SubmissionStatus] = mapped_column(
        str_enum(SubmissionStatus, "submission_status"), default=SubmissionStatus.PRECHECK
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prechecked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    prechecked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    precheck_note: Mapped[str] = mapped_column(sa.String(MAX_FEEDBACK), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attempt: Mapped[Attempt] = relationship(back_populates="submissions")
    prechecked_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[SubmittedEvidence]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "number", name="uq_submissions_version"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint(
            "status <> 'incomplete' OR precheck_note <> ''", name="incomplete_has_note"
        ),
        # Queues: pre-check and assessment read submissions by status, oldest first.
        sa.Index("ix_microcredential_submissions_status", "status", "submitted_at", "id"),
    )


class SubmittedEvidence(db.Model):
    """One component's evidence as it was submitted in one version (never edited)."""

    __tablename__ = "microcredential_submitted_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_submissions.id", ondelete="CASCADE")
    )
    component_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_components.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text(), default="")
    # The same stored file as the draft's when unchanged; a new upload gets a new key.
    file_key: Mapped[str | None] = mapped_column(sa.String(64))
    file_type: Mapped[str] = mapped_column(sa.String(40), default="")
    file_size: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str] = mapped_column(sa.String(200), default="")

    submission: Mapped[Submission] = relationship(back_populates="evidence")
    component: Mapped[Component] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("submission_id", "component_id", name="uq_submitted_evidence"),
    )


class AssessorRole(enum.StrEnum):
    FIRST = "first"
    SECOND = "second"
    LEAD = "lead"  # settles a disagreement between the first two


class Assessment(db.Model):
    """One assessor's scoring of one submission; the two first assessors do not see each
    other's scores until both are in (see rules.visible_assessments)."""

    __tablename__ = "microcredential_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_submissions.id", ondelete="CASCADE")
    )
    assessor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[AssessorRole] = mapped_column(str_enum(AssessorRole, "assessor_role"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(sa.String(MAX_FEEDBACK), default="")

    submission: Mapped[Submission] = relationship(back_populates="assessments")
    assessor: Mapped[User] = relationship()
    scores: Mapped[list[Score]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("submission_id", "role", name="uq_assessments_role"),
        sa.UniqueConstraint("submission_id", "assessor_id", name="uq_assessments_assessor"),
        # An assessor's queue: what is assigned to them and not yet done.
        sa.Index("ix_microcredential_assessments_queue", "assessor_id", "completed_at"),
    )


class Score(db.Model):
    """One criterion judged by one assessor: Met or Not yet, with feedback for the member."""

    __tablename__ = "microcredential_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_assessments.id", ondelete="CASCADE")
    )
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_criteria.id", ondelete="CASCADE"), index=True
    )
    met: Mapped[bool] = mapped_column()
    feedback: Mapped[str] = mapped_column(sa.String(MAX_FEEDBACK), default="")

    assessment: Mapped[Assessment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "criterion_id", name="uq_scores_criterion"),
    )


class MicrocredentialAction(enum.StrEnum):
    STARTED = "started"
    SUBMITTED = "submitted"
    RETURNED_INCOMPLETE = "returned_incomplete"
    SENT_TO_ASSESSORS = "sent_to_assessors"
    SCORED = "scored"
    SENT_TO_LEAD = "sent_to_lead"
    RETURNED = "returned"
    AWARDED = "awarded"
    COACH_REQUESTED = "coach_requested"
    WARNED = "warned"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class MicrocredentialEvent(db.Model):
    """The audit trail of an attempt: every state change, who made it, when."""

    __tablename__ = "microcredential_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_attempts.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("microcredential_submissions.id", ondelete="CASCADE")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[MicrocredentialAction] = mapped_column(
        str_enum(MicrocredentialAction, "microcredential_action")
    )
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()


class WindowWarning(db.Model):
    """A window-expiry warning sent (30 or 7 days before): the unique row, written in the
    same transaction as the e-mail, makes each warning go out exactly once."""

    __tablename__ = "microcredential_window_warnings"

    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("microcredential_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    days_before: Mapped[int] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
