"""The award of a micro-credential: the attempt is marked awarded and its certificate (a
Certificate of the micro-credential kind, with a verification code) is issued, in the
transaction of the decision that awarded it. The PDF, transcript line, credit and badge
read that certificate.

Dates of an award are UTC calendar dates (like mentoring's, the registry's one zone for
things that happen nowhere in particular): the year it counts in for credit is the year
of `awarded_at` in UTC, on the transcript and in the credit rules alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, lazyload

from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import new_code, reissue
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials.models import Attempt, AttemptStatus


class AttemptChanged(Exception):
    """The attempt is no longer submitted (the member withdrew, or it expired) by the time
    a decision would change it: the decision's transaction is rolled back."""


def award(attempt: Attempt, now: datetime) -> Certificate:
    """Award `attempt` and issue its certificate. Flushes, never commits (the decision that
    awards it does, with its audit row and e-mail). One conditional UPDATE: an attempt no
    longer submitted raises AttemptChanged instead of being awarded after all."""
    changed = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.SUBMITTED)
        .values(status=AttemptStatus.AWARDED, awarded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise AttemptChanged(attempt.id)
    db.session.refresh(attempt)
    certificate = Certificate(
        microcredential_attempt_id=attempt.id,
        code=new_code(),
        member_name=attempt.user.full_name,
        hours=attempt.microcredential.credit_hours,
        issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def awarded_on(moment: datetime) -> date:
    """The calendar day of an award (UTC, see the module's docstring)."""
    return moment.astimezone(UTC).date()


def _current_query() -> sa.Select[tuple[Certificate]]:
    return sa.select(Certificate).where(Certificate.replaced_by_id.is_(None))


def current_certificate(attempt: Attempt) -> Certificate | None:
    """The attempt's current certificate (revoked or not); None before it is awarded."""
    return db.session.scalar(
        _current_query().where(Certificate.microcredential_attempt_id == attempt.id)
    )


def certificate_to_download(attempt: Attempt, now: datetime | None = None) -> Certificate | None:
    """The member's current certificate of an awarded attempt, reissued first when their
    name has changed since (the old code keeps verifying); None when the attempt is not
    awarded or its certificate was revoked."""
    if attempt.status != AttemptStatus.AWARDED:
        return None
    current = current_certificate(attempt)
    if current is None or current.revoked_at is not None:
        return None
    holder = attempt.user
    if current.member_name != holder.full_name and holder.closed_at is None:
        current = reissue(current, holder.full_name, current.hours, now or utcnow())
        try:
            db.session.commit()
        except IntegrityError:
            # Reissued by a parallel request (two downloads at once): use that one.
            db.session.rollback()
            return current_certificate(attempt)
    return current


def awarded_certificates(member_id: int) -> list[Certificate]:
    """The member's valid micro-credential certificates (current, not revoked), each with
    its attempt and micro-credential loaded, oldest award first; one query."""
    return list(
        db.session.scalars(
            _current_query()
            .join(Certificate.microcredential_attempt)
            .join(Attempt.microcredential)
            .where(
                Attempt.user_id == member_id,
                Attempt.status == AttemptStatus.AWARDED,
                Certificate.revoked_at.is_(None),
            )
            .options(
                contains_eager(Certificate.microcredential_attempt).contains_eager(
                    Attempt.microcredential
                ),
                lazyload(Certificate.replaced_by),
            )
            .order_by(Attempt.awarded_at, Attempt.id)
        )
    )


def awarded_by_year(member_id: int) -> dict[int, int]:
    """How many micro-credentials the member was awarded each year (valid certificates
    only: a revoked one no longer counts); one query."""
    counts: dict[int, int] = {}
    for awarded_at in db.session.scalars(
        sa.select(Attempt.awarded_at)
        .join(Certificate, Certificate.microcredential_attempt_id == Attempt.id)
        .where(
            Attempt.user_id == member_id,
            Attempt.status == AttemptStatus.AWARDED,
            Certificate.replaced_by_id.is_(None),
            Certificate.revoked_at.is_(None),
        )
    ):
        if awarded_at is not None:
            year = awarded_on(awarded_at).year
            counts[year] = counts.get(year, 0) + 1
    return counts
