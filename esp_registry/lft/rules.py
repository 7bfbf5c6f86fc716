"""Leaders for Tomorrow rules of PRODUCT §5, as plain functions that tests call directly.

Every change to a cycle's applications runs under that cycle's lock, in one transaction
that also writes its audit-trail event and the e-mails it causes to the outbox. Expected
refusals ("closed", "cap reached") are results with a message, not exceptions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from esp_registry.accounts.models import Role, User
from esp_registry.catalog.models import Offering, OfferingStatus
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.lft.models import (
    DECISIONS,
    NATIONAL,
    LftApplication,
    LftCycle,
    LftEvent,
    LftScore,
    LftStatus,
)
from esp_registry.notifications.outbox import queue_email
from esp_registry.reference.models import Program
from esp_registry.reference_data import LFT_PROGRAM_SLUG
from esp_registry.registrations.models import Registration, RegistrationStatus

Status = LftStatus
PROGRAM_SLUG = LFT_PROGRAM_SLUG  # the cohort offering's program
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Essay:
    field: str
    label: str
    limit: int


# The questions with word limits, in the order the form asks them.
ESSAYS = (
    Essay(
        "leadership_experience",
        _l("Your leadership experience (in your local, state affiliate or community)"),
        400,
    ),
    Essay("essay_why", _l("Essay 1: Why do you want to join Leaders for Tomorrow?"), 300),
    Essay(
        "essay_vision",
        _l("Essay 2: How will you use what you learn for ESP members in your local and state?"),
        500,
    ),
)
WORD_LIMITS = {essay.field: essay.limit for essay in ESSAYS}


def word_count(text: str | None) -> int:
    return len((text or "").split())


class Outcome(enum.StrEnum):
    SAVED = "saved"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ENDORSED = "endorsed"
    DECLINED = "declined"
    SCORED = "scored"
    SELECTED = "selected"
    ALTERNATE = "alternate"
    RESET = "reset"
    RELEASED = "released"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    INVALID = "invalid"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    FROZEN = "frozen"
    NOT_ALLOWED = "not_allowed"
    TOO_LATE = "too_late"
    CAP_REACHED = "cap_reached"
    COHORT_FULL = "cohort_full"


SUCCESSES = {
    Outcome.SAVED,
    Outcome.SUBMITTED,
    Outcome.WITHDRAWN,
    Outcome.ENDORSED,
    Outcome.DECLINED,
    Outcome.SCORED,
    Outcome.SELECTED,
    Outcome.ALTERNATE,
    Outcome.RESET,
    Outcome.RELEASED,
    Outcome.ACCEPTED,
    Outcome.REFUSED,
}


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    message: str
    application: LftApplication | None = None
    # Field name -> message, shown next to the field.
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES


@dataclass
class Answers:
    """What the member writes; the form hands these over already trimmed."""

    leadership_experience: str = ""
    essay_why: str = ""
    essay_vision: str = ""
    years_as_esp: int | None = None
    president_name: str = ""
    president_email: str = ""
    commitment: bool = False

    @classmethod
    def of(cls, application: LftApplication) -> Answers:
        return cls(**{name: getattr(application, name) for name in cls.__dataclass_fields__})


def answer_problems(answers: Answers, *, complete: bool) -> dict[str, str]:
    """Word limits always; on submission also every answer and the commitment."""
    problems: dict[str, str] = {}
    for essay in ESSAYS:
        words = word_count(getattr(answers, essay.field))
        if words > essay.limit:
            problems[essay.field] = _(
                "%(count)d words: keep it to %(limit)d words or fewer.",
                count=words,
                limit=essay.limit,
            )
        elif complete and words == 0:
            problems[essay.field] = _("Answer this question before you submit.")
    if not complete:
        return problems
    if answers.years_as_esp is None:
        problems["years_as_esp"] = _("Say how many years you have worked as an ESP.")
    if not answers.president_name.strip():
        problems["president_name"] = _("Name your local president as your reference.")
    if not answers.president_email.strip():
        problems["president_email"] = _("Give your local president's e-mail address.")
    if not answers.commitment:
        problems["commitment"] = _("Leaders for Tomorrow asks you to attend every session.")
    return problems


# ---------------------------------------------------------------------------- plumbing


def _lock_cycle(cycle_id: int) -> None:
    # A no-op UPDATE takes the cycle's row lock on PostgreSQL and the write lock on SQLite,
    # so changes to one cycle's applications (and the caps they count) run one at a time.
    db.session.execute(sa.update(LftCycle).where(LftCycle.id == cycle_id).values(id=LftCycle.id))


def _locked(application: LftApplication) -> LftApplication:
    """Take the cycle's lock, then read the application (and cycle) as committed now."""
    _lock_cycle(application.cycle_id)
    db.session.refresh(application)
    db.session.refresh(application.cycle)
    return application


def _refuse(outcome: Outcome, message: str, application: LftApplication | None = None) -> Result:
    db.session.rollback()
    return Result(outcome, message, application)


def _move(
    application: LftApplication,
    to: LftStatus,
    actor: User | None,
    now: datetime,
    comment: str = "",
    *,
    internal: bool = False,
) -> None:
    """Change the status and write the audit-trail event for it."""
    before = application.status
    application.status = to
    # Linking the event loads the trail; no flush then, as the caller may be mid-change.
    with db.session.no_autoflush:
        db.session.add(
            LftEvent(
                application=application,
                actor_id=actor.id if actor is not None else None,
                at=now,
                from_status=before,
                to_status=to,
                comment=comment,
                internal=internal,
            )
        )


def _clean_comment(comment: str) -> str:
    return comment.strip()[:MAX_COMMENT]


def _email(application: LftApplication, kind: str, **context: object) -> None:
    queue_email(application.user, kind, application=application, cycle=application.cycle, **context)


def _is_reviewer(user: User) -> bool:
    return user.is_national_admin or user.has_role(Role.REVIEWER)


# ---------------------------------------------------------------------------- applying


def application_of(user: User, cycle: LftCycle) -> LftApplication | None:
    return db.session.scalar(
        sa.select(LftApplication)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.user_id == user.id)
        .execution_options(populate_existing=True)
    )


def _window_refusal(cycle: LftCycle, now: datetime) -> Result | None:
    if now < cycle.opens_at:
        return Result(Outcome.NOT_OPEN, _("Applications for this cycle have not opened yet."))
    if now >= cycle.closes_at:
        return Result(
            Outcome.CLOSED,
            _("Applications for Leaders for Tomorrow %(year)s are closed.", year=cycle.year),
        )
    return None


def _write_answers(user: User, cycle: LftCycle, answers: Answers, now: datetime) -> Result:
    """Create or update the member's draft under the cycle's lock (the caller commits)."""
    refusal = _window_refusal(cycle, now)
    if refusal:
        return refusal
    _lock_cycle(cycle.id)
    application = application_of(user, cycle)
    if application is not None and application.status != Status.DRAFT:
        return _refuse(
            Outcome.FROZEN,
            _("Your application was submitted; its text can no longer change."),
            application,
        )
    if application is None:
        application = LftApplication(
            cycle_id=cycle.id, user_id=user.id, status=Status.DRAFT, created_at=now
        )
        db.session.add(
            LftEvent(application=application, actor_id=user.id, at=now, to_status=Status.DRAFT)
        )
    # The profile at the time of applying decides who reviews it and how it is filed.
    application.affiliate_id = user.affiliate_id
    application.job_family_id = user.job_family_id
    for name in Answers.__dataclass_fields__:
        setattr(application, name, getattr(answers, name))
    application.updated_at = now
    db.session.add(application)
    db.session.flush()
    return Result(Outcome.SAVED, _("Your draft is saved."), application)


def save_draft(
    user: User, cycle: LftCycle, answers: Answers, now: datetime | None = None
) -> Result:
    """A member writes an application and saves drafts while the cycle is open; word
    limits hold already. One application per member per cycle."""
    now = now or utcnow()
    problems = answer_problems(answers, complete=False)
    if problems:
        return Result(Outcome.INVALID, _("Please correct the marked answers."), errors=problems)
    result = _write_answers(user, cycle, answers, now)
    if result.ok:
        db.session.commit()
    return result


def submit(user: User, cycle: LftCycle, answers: Answers, now: datetime | None = None) -> Result:
    """A member submits before the deadline, with every answer within its word limit, the
    local president as reference and the commitment to attend every session. After
    submission the text is frozen."""
    now = now or utcnow()
    refusal = _window_refusal(cycle, now)
    if refusal:
        return refusal
    problems = answer_problems(answers, complete=True)
    if problems:
        return Result(Outcome.INVALID, _("Your application is not complete yet."), errors=problems)
    result = _write_answers(user, cycle, answers, now)
    if not result.ok:
        return result
    application = result.application
    assert application is not None
    _move(application, Status.SUBMITTED, user, now)
    application.submitted_at = now
    _email(application, "lft_submitted")
    db.session.commit()
    return Result(
        Outcome.SUBMITTED,
        _("Your application is submitted. Your state affiliate reviews it next."),
        application,
    )


def may_withdraw(application: LftApplication) -> bool:
    """Until a national decision is released; after it a selected member refuses instead."""
    if application.status in (Status.DRAFT, Status.SUBMITTED, Status.ENDORSED, Status.ALTERNATE):
        return True
    return application.status in DECISIONS and not application.cycle.decision_released


def withdraw(application: LftApplication, now: datetime | None = None) -> Result:
    """A member may withdraw their application at any step before taking a place."""
    now = now or utcnow()
    _locked(application)
    if not may_withdraw(application):
        return _refuse(
            Outcome.NOT_ALLOWED, _("This application can no longer be withdrawn."), application
        )
    applicant = application.user  # loaded before the ranking changes (a load may flush)
    _close_rank_gap(application)
    _move(application, Status.WITHDRAWN, applicant, now)
    db.session.commit()
    return Result(Outcome.WITHDRAWN, _("Your application is withdrawn."), application)


# ---------------------------------------------------------------------------- affiliate


def endorsed_count(cycle_id: int, affiliate_id: int) -> int:
    """Endorsements an affiliate has used: endorsed applications and what came of them."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            LftApplication.cycle_id == cycle_id,
            LftApplication.affiliate_id == affiliate_id,
            LftApplication.status.in_(NATIONAL),
        )
    )


def _affiliate_refusal(application: LftApplication, now: datetime) -> Result | None:
    if application.status != Status.SUBMITTED:
        return _refuse(
            Outcome.NOT_ALLOWED, _("This application is not waiting for review."), application
        )
    if now >= application.cycle.review_deadline:
        return _refuse(
            Outcome.TOO_LATE, _("The affiliate review deadline has passed."), application
        )
    return None


def endorse(
    application: LftApplication,
    approver: User,
    comment: str = "",
    *,
    internal: bool = False,
    now: datetime | None = None,
) -> Result:
    """The applicant's state affiliate approver endorses a submitted application, with a
    comment, before the review deadline and within the cycle's endorsement cap."""
    now = now or utcnow()
    _locked(application)
    refusal = _affiliate_refusal(application, now)
    if refusal:
        return refusal
    cap = application.cycle.max_endorsements_per_affiliate
    if cap is not None and endorsed_count(application.cycle_id, application.affiliate_id) >= cap:
        return _refuse(
            Outcome.CAP_REACHED,
            _("Your affiliate has used all %(cap)d endorsements for this cycle.", cap=cap),
            application,
        )
    _move(application, Status.ENDORSED, approver, now, _clean_comment(comment), internal=internal)
    _email(application, "lft_endorsed")
    db.session.commit()
    return Result(
        Outcome.ENDORSED, _("Endorsed. The application goes to national review."), application
    )


def decline(
    application: LftApplication,
    approver: User,
    comment: str,
    *,
    internal: bool = False,
    now: datetime | None = None,
) -> Result:
    """The approver declines a submitted application, saying why."""
    now = now or utcnow()
    comment = _clean_comment(comment)
    if not comment:
        return Result(
            Outcome.INVALID,
            _("Say why you decline."),
            application,
            errors={"comment": _("Say why you decline.")},
        )
    _locked(application)
    refusal = _affiliate_refusal(application, now)
    if refusal:
        return refusal
    _move(application, Status.DECLINED, approver, now, comment, internal=internal)
    _email(application, "lft_declined", reason="" if internal else comment)
    db.session.commit()
    return Result(Outcome.DECLINED, _("Declined. The applicant has been told."), application)


# ---------------------------------------------------------------------------- national


def may_be_scored(application: LftApplication) -> bool:
    return application.status in (Status.ENDORSED, *DECISIONS) and not (
        application.cycle.decision_released
    )


def has_scored(application: LftApplication, reviewer: User) -> bool:
    """A reviewer has submitted their scores when every criterion has one."""
    criteria = len(application.cycle.criteria)
    mine = db.session.scalar(
        sa.select(sa.func.count()).where(
            LftScore.application_id == application.id, LftScore.reviewer_id == reviewer.id
        )
    )
    return criteria > 0 and mine >= criteria


def score(
    application: LftApplication,
    reviewer: User,
    scores: dict[int, int | None],
    now: datetime | None = None,
) -> Result:
    """National reviewers score endorsed applications on the cycle's rubric, every
    criterion from 1 to 5; they may revise their scores until decisions are released."""
    now = now or utcnow()
    if not _is_reviewer(reviewer):
        return Result(Outcome.NOT_ALLOWED, _("Only national reviewers score applications."))
    _locked(application)
    if not may_be_scored(application):
        return _refuse(
            Outcome.NOT_ALLOWED, _("This application is not open for scoring."), application
        )
    criteria = application.cycle.criteria
    errors = {
        f"criterion_{c.id}": _("Give a score from 1 to 5.")
        for c in criteria
        if not isinstance(scores.get(c.id), int) or not 1 <= scores[c.id] <= 5  # type: ignore[operator]
    }
    if errors or not criteria:
        db.session.rollback()
        return Result(Outcome.INVALID, _("Score every criterion from 1 to 5."), application, errors)
    existing = {
        s.criterion_id: s
        for s in db.session.scalars(
            sa.select(LftScore).where(
                LftScore.application_id == application.id, LftScore.reviewer_id == reviewer.id
            )
        )
    }
    for criterion in criteria:
        row = existing.get(criterion.id) or LftScore(
            application_id=application.id, reviewer_id=reviewer.id, criterion_id=criterion.id
        )
        row.score = scores[criterion.id]  # type: ignore[assignment]
        row.scored_at = now
        db.session.add(row)
    db.session.commit()
    return Result(Outcome.SCORED, _("Your scores are saved."), application)


def selected_count(cycle_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            LftApplication.cycle_id == cycle_id,
            LftApplication.status.in_((Status.SELECTED, Status.ACCEPTED)),
        )
    )


def _decision_refusal(application: LftApplication) -> Result | None:
    if application.cycle.decision_released:
        return _refuse(
            Outcome.NOT_ALLOWED, _("Decisions for this cycle are already released."), application
        )
    if application.status not in (Status.ENDORSED, *DECISIONS):
        return _refuse(
            Outcome.NOT_ALLOWED,
            _("Only endorsed applications can be selected or named alternates."),
            application,
        )
    return None


def _alternates(cycle_id: int) -> list[LftApplication]:
    return list(
        db.session.scalars(
            sa.select(LftApplication)
            .where(LftApplication.cycle_id == cycle_id, LftApplication.status == Status.ALTERNATE)
            .order_by(LftApplication.alternate_rank, LftApplication.id)
        )
    )


def _rank(ordered: list[LftApplication]) -> None:
    for rank, alternate in enumerate(ordered, start=1):
        alternate.alternate_rank = rank


def _close_rank_gap(application: LftApplication) -> None:
    """Take the application out of the ranking; those after it move up. The caller changes
    its status next, before anything is flushed (the database checks both agree)."""
    if application.alternate_rank is None:
        return
    others = [a for a in _alternates(application.cycle_id) if a.id != application.id]
    application.alternate_rank = None
    _rank(others)


def select(application: LftApplication, admin: User, now: datetime | None = None) -> Result:
    """The national admin selects an endorsed application, up to the cohort size. The
    decision stays pending and invisible to the applicant until released."""
    now = now or utcnow()
    _locked(application)
    refusal = _decision_refusal(application)
    if refusal:
        return refusal
    if application.status == Status.SELECTED:
        return _refuse(Outcome.SELECTED, _("Already selected."), application)
    size = application.cycle.cohort_size
    if selected_count(application.cycle_id) >= size:
        return _refuse(
            Outcome.COHORT_FULL,
            _("The cohort is full: %(size)d members are already selected.", size=size),
            application,
        )
    _close_rank_gap(application)
    _move(application, Status.SELECTED, admin, now, internal=True)
    db.session.commit()
    return Result(Outcome.SELECTED, _("Selected (not yet released)."), application)


def name_alternate(
    application: LftApplication, admin: User, rank: int | None = None, now: datetime | None = None
) -> Result:
    """The national admin names an endorsed application an alternate at a rank (1 is
    offered a place first); without a rank it joins the end of the list."""
    now = now or utcnow()
    _locked(application)
    refusal = _decision_refusal(application)
    if refusal:
        return refusal
    ordered = [a for a in _alternates(application.cycle_id) if a.id != application.id]
    rank = len(ordered) + 1 if rank is None or not 1 <= rank <= len(ordered) else rank
    ordered.insert(rank - 1, application)
    if application.status != Status.ALTERNATE:
        _move(application, Status.ALTERNATE, admin, now, internal=True)
    _rank(ordered)
    db.session.commit()
    return Result(
        Outcome.ALTERNATE,
        _("Alternate number %(rank)d (not yet released).", rank=rank),
        application,
    )


def reset_decision(application: LftApplication, admin: User, now: datetime | None = None) -> Result:
    """Before release the admin may take a decision back: the application is endorsed again."""
    now = now or utcnow()
    _locked(application)
    refusal = _decision_refusal(application)
    if refusal:
        return refusal
    if application.status == Status.ENDORSED:
        return _refuse(Outcome.RESET, _("No decision to take back."), application)
    _close_rank_gap(application)
    _move(application, Status.ENDORSED, admin, now, internal=True)
    db.session.commit()
    return Result(Outcome.RESET, _("Decision taken back."), application)


# ---------------------------------------------------------------------------- cohort


def _cohort_offering(cycle: LftCycle, now: datetime) -> Offering:
    """The cycle's LFT training, created on first release; registration by hand is closed
    (members join it by selection only)."""
    if cycle.offering is not None:
        return cycle.offering
    program = db.session.scalar(sa.select(Program).where(Program.slug == PROGRAM_SLUG))
    offering = Offering(
        title=f"Leaders for Tomorrow {cycle.year} cohort",
        program=program,
        description="The national Leaders for Tomorrow cohort, by selection only.",
        capacity=cycle.cohort_size,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=min(cycle.opens_at, now - timedelta(minutes=1)),
        registration_closes_at=now,
        signatory="ESP Quality Department",
    )
    db.session.add(offering)
    db.session.flush()
    cycle.offering_id = offering.id
    cycle.offering = offering
    return offering


def _join_cohort(application: LftApplication, offering: Offering, by: User | None, now: datetime):  # type: ignore[no-untyped-def]
    """The member's confirmed registration for the cohort's training."""
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.offering_id == offering.id, Registration.user_id == application.user_id
        )
    )
    if registration is None:
        registration = Registration(
            offering_id=offering.id, user_id=application.user_id, created_at=now
        )
        db.session.add(registration)
    registration.status = RegistrationStatus.CONFIRMED
    registration.waitlisted_at = registration.offer_expires_at = None
    registration.decided_by_id = by.id if by is not None else None
    registration.decided_at = now
    registration.reason = ""
    return registration


def _leave_cohort(application: LftApplication, reason: str, now: datetime) -> None:
    offering_id = application.cycle.offering_id
    if offering_id is None:
        return
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.offering_id == offering_id, Registration.user_id == application.user_id
        )
    )
    if registration is not None and registration.status == RegistrationStatus.CONFIRMED:
        registration.status = RegistrationStatus.CANCELLED
        registration.reason = reason[:500]
        registration.decided_at = now


def _place_offer(application: LftApplication, actor: User | None, now: datetime) -> None:
    """A selected member gets `confirm_within_days` to confirm, and joins the training."""
    cycle = application.cycle
    application.confirm_by = now + timedelta(days=cycle.confirm_within_days)
    assert cycle.offering is not None
    _join_cohort(application, cycle.offering, actor, now)


# What a release decides: endorsed applications nobody selected become "not selected".
RELEASED = (Status.ENDORSED, *DECISIONS)


@dataclass(frozen=True)
class ReleasePreview:
    """What releasing a cycle's decisions will do, for the page that asks to confirm it."""

    selected: int = 0
    alternates: int = 0
    not_selected: int = 0  # named not selected, or endorsed and never selected
    emailed: int = 0  # applicants whose address is confirmed (the others get no mail)

    @property
    def applicants(self) -> int:
        return self.selected + self.alternates + self.not_selected


def release_preview(cycle: LftCycle) -> ReleasePreview:
    """The applications `release_decisions` would decide and notify, counted (one query)."""
    rows = db.session.execute(
        sa.select(
            LftApplication.status,
            sa.func.count(),
            sa.func.count(User.email_confirmed_at),
        )
        .join(User, User.id == LftApplication.user_id)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.status.in_(RELEASED))
        .group_by(LftApplication.status)
    ).all()
    counts = {status: count for status, count, _confirmed in rows}
    return ReleasePreview(
        selected=counts.get(Status.SELECTED, 0),
        alternates=counts.get(Status.ALTERNATE, 0),
        not_selected=counts.get(Status.NOT_SELECTED, 0) + counts.get(Status.ENDORSED, 0),
        emailed=sum(confirmed for _status, _count, confirmed in rows),
    )


def release_decisions(cycle: LftCycle, admin: User, now: datetime | None = None) -> Result:
    """The national admin releases all decisions at once: selected, alternate and
    not-selected members are notified, and the selected cohort becomes the cycle's LFT
    offering, each member with a confirmed registration."""
    now = now or utcnow()
    _lock_cycle(cycle.id)
    db.session.refresh(cycle)
    if cycle.decision_released:
        return _refuse(Outcome.NOT_ALLOWED, _("Decisions for this cycle are already released."))
    applications = db.session.scalars(
        sa.select(LftApplication)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.status.in_(RELEASED))
        .order_by(LftApplication.id)
        .execution_options(populate_existing=True)
    ).all()
    offering = _cohort_offering(cycle, now)
    note = _("Decision released.")
    for application in applications:
        if application.status == Status.ENDORSED:
            _move(application, Status.NOT_SELECTED, admin, now, note)
        else:
            _move(application, application.status, admin, now, note)
        if application.status == Status.SELECTED:
            _place_offer(application, admin, now)
    cycle.decision_released = True
    cycle.released_at = now
    db.session.flush()
    for application in applications:
        _email(application, f"lft_{application.status.value}", offering=offering)
    db.session.commit()
    return Result(
        Outcome.RELEASED,
        _("Decisions released: %(count)d applicants notified.", count=len(applications)),
    )


def _offer_to_next_alternate(cycle: LftCycle, now: datetime) -> LftApplication | None:
    """The first alternate takes the free place and joins the training."""
    first = db.session.scalar(
        sa.select(LftApplication)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.status == Status.ALTERNATE)
        .order_by(LftApplication.alternate_rank)
        .limit(1)
    )
    if first is None:
        return None
    _close_rank_gap(first)
    _move(first, Status.SELECTED, None, now, _("A place became free."))
    _place_offer(first, None, now)
    _email(first, "lft_selected", offering=cycle.offering)
    return first


def _may_answer_offer(application: LftApplication, now: datetime) -> Result | None:
    if application.status != Status.SELECTED or not application.cycle.decision_released:
        return _refuse(Outcome.NOT_ALLOWED, _("There is no place on offer for you."), application)
    if application.confirm_by is not None and now >= application.confirm_by:
        return _refuse(
            Outcome.TOO_LATE, _("The time to confirm your place has passed."), application
        )
    return None


def confirm_place(application: LftApplication, now: datetime | None = None) -> Result:
    """A selected member confirms their place within the cycle's set number of days."""
    now = now or utcnow()
    _locked(application)
    refusal = _may_answer_offer(application, now)
    if refusal:
        return refusal
    _move(application, Status.ACCEPTED, application.user, now)
    application.confirm_by = None
    db.session.commit()
    return Result(
        Outcome.ACCEPTED, _("Your place is confirmed. Welcome to the cohort!"), application
    )


def refuse_place(
    application: LftApplication, comment: str = "", now: datetime | None = None
) -> Result:
    """A selected member declines their place; it is offered to the first alternate."""
    now = now or utcnow()
    _locked(application)
    refusal = _may_answer_offer(application, now)
    if refusal:
        return refusal
    _move(application, Status.REFUSED, application.user, now, _clean_comment(comment))
    application.confirm_by = None
    _leave_cohort(application, _("Place declined."), now)
    db.session.flush()
    _offer_to_next_alternate(application.cycle, now)
    db.session.commit()
    return Result(Outcome.REFUSED, _("You have declined your place. Thank you."), application)


def lapse_unconfirmed(now: datetime | None = None) -> int:
    """A place not confirmed in time lapses and is offered to the first alternate.
    Run by the worker (or `flask lft lapse`); returns how many places lapsed."""
    now = now or utcnow()
    cycle_ids = db.session.scalars(
        sa.select(LftApplication.cycle_id)
        .where(LftApplication.status == Status.SELECTED, LftApplication.confirm_by <= now)
        .distinct()
    ).all()
    db.session.rollback()
    lapsed = 0
    for cycle_id in sorted(cycle_ids):
        _lock_cycle(cycle_id)
        cycle = db.session.get(LftCycle, cycle_id, populate_existing=True)
        assert cycle is not None
        overdue = db.session.scalars(
            sa.select(LftApplication)
            .where(
                LftApplication.cycle_id == cycle_id,
                LftApplication.status == Status.SELECTED,
                LftApplication.confirm_by <= now,
            )
            .order_by(LftApplication.id)
            .execution_options(populate_existing=True)
        ).all()
        for application in overdue:
            _move(
                application,
                Status.REFUSED,
                None,
                now,
                _("The place was not confirmed in time."),
            )
            application.confirm_by = None
            _leave_cohort(application, _("The place was not confirmed in time."), now)
            db.session.flush()
            _offer_to_next_alternate(cycle, now)
        db.session.commit()
        lapsed += len(overdue)
    return lapsed
