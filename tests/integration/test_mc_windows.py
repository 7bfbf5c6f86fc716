"""The micro-credential window kept by the worker (PRODUCT §14): warnings 30 and 7 days
before the end, each exactly once (a re-run, two workers at once), in the member's
language; attempts still drafting when the window ended expire; a submitted one does not."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from esp_registry.extensions import db
from esp_registry.microcredentials.models import (
    Attempt,
    AttemptStatus,
    MicrocredentialAction,
    MicrocredentialEvent,
    WindowWarning,
)
from esp_registry.microcredentials.windows import (
    expire_ended_windows,
    keep_windows,
    send_window_warnings,
)
from esp_registry.notifications.models import OutboxMessage
from tests import factories

ENDS = date(2026, 12, 31)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def attempt(
    email: str = "pat@example.org",
    *,
    ends: date = ENDS,
    status=AttemptStatus.DRAFTING,
    language: str = "en",
    mc=None,
) -> Attempt:  # type: ignore[no-untyped-def]
    member = factories.person(email, name=email.split("@")[0].title())
    member.preferred_language = language
    made = Attempt(
        user_id=member.id,
        microcredential_id=(mc or factories.microcredential(f"Micro {email}")).id,
        status=status,
        closed_at=at(ends) if status in (AttemptStatus.WITHDRAWN, AttemptStatus.EXPIRED) else None,
        window_ends_on=ends,
        started_at=at(ends - timedelta(days=180)),
    )
    db.session.add(made)
    db.session.commit()
    return made


def mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def twice_at_once(app, run: Callable[[datetime], int], now: datetime) -> list[int]:  # type: ignore[no-untyped-def]
    """Two workers run `run(now)` at the same moment (threads, connections of their own)."""
    barrier = threading.Barrier(2)
    answers: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait()
                answers.append(run(now))
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return answers


def test_warnings_go_30_and_7_days_before_each_once(ctx):
    made = attempt()
    assert send_window_warnings(at(ENDS - timedelta(days=31))) == 0
    assert send_window_warnings(at(ENDS - timedelta(days=30))) == 1
    assert send_window_warnings(at(ENDS - timedelta(days=30))) == 0  # run twice: one e-mail
    assert send_window_warnings(at(ENDS - timedelta(days=20))) == 0  # still the 30-day one
    [first] = mails("mc_window_warning")
    assert first.to_email == "pat@example.org"
    assert "30 days left" in first.subject and "ends in 30 days" in first.body_text
    assert send_window_warnings(at(ENDS - timedelta(days=7))) == 1
    assert send_window_warnings(at(ENDS - timedelta(days=3))) == 0
    assert len(mails("mc_window_warning")) == 2
    rows = db.session.scalars(sa.select(WindowWarning.days_before)).all()
    assert sorted(rows) == [7, 30]
    warned = db.session.scalars(
        sa.select(MicrocredentialEvent.note).where(
            MicrocredentialEvent.attempt_id == made.id,
            MicrocredentialEvent.action == MicrocredentialAction.WARNED,
        )
    ).all()
    assert sorted(warned) == ["30 days", "7 days"]


def test_a_late_worker_sends_only_the_latest_warning(ctx):
    attempt()
    assert send_window_warnings(at(ENDS - timedelta(days=5))) == 1
    assert db.session.scalars(sa.select(WindowWarning.days_before)).all() == [7]
    assert send_window_warnings(at(ENDS - timedelta(days=4))) == 0


def test_only_drafting_attempts_are_warned(ctx):
    mc = factories.microcredential()
    attempt("sent@example.org", status=AttemptStatus.SUBMITTED, mc=mc)
    attempt("done@example.org", status=AttemptStatus.WITHDRAWN, mc=mc)
    attempt("draft@example.org", mc=mc)
    assert send_window_warnings(at(ENDS - timedelta(days=7))) == 1
    assert [m.to_email for m in mails("mc_window_warning")] == ["draft@example.org"]


def test_the_warning_is_in_the_members_language(ctx):
    attempt("ana@example.org", language="es")
    send_window_warnings(at(ENDS - timedelta(days=7)))
    [message] = mails("mc_window_warning")
    assert "Hola, Ana" in message.body_text and "7 días" in message.body_text
    assert "days" not in message.body_text


def test_two_workers_at_once_send_one_warning(ctx):
    attempt()
    sent = twice_at_once(ctx, send_window_warnings, at(ENDS - timedelta(days=7)))
    assert sorted(sent) == [0, 1] and len(mails("mc_window_warning")) == 1


def test_drafting_attempts_expire_after_the_window_and_submitted_ones_do_not(ctx):
    mc = factories.microcredential()
    drafting = attempt("draft@example.org", mc=mc)
    submitted = attempt("sent@example.org", status=AttemptStatus.SUBMITTED, mc=mc)
    assert expire_ended_windows(at(ENDS)) == 0  # the last day is still open
    assert expire_ended_windows(at(ENDS + timedelta(days=1))) == 1
    assert expire_ended_windows(at(ENDS + timedelta(days=1))) == 0  # run twice: one e-mail
    db.session.expire_all()
    assert db.session.get(Attempt, drafting.id).status == AttemptStatus.EXPIRED
    assert db.session.get(Attempt, drafting.id).closed_at is not None
    assert db.session.get(Attempt, submitted.id).status == AttemptStatus.SUBMITTED
    [message] = mails("mc_expired")
    assert message.to_email == "draft@example.org" and "has ended" in message.subject
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                MicrocredentialEvent.attempt_id == drafting.id,
                MicrocredentialEvent.action == MicrocredentialAction.EXPIRED,
            )
        )
        == 1
    )


def test_two_workers_expire_once(ctx):
    attempt()
    expired = twice_at_once(ctx, expire_ended_windows, at(ENDS + timedelta(days=2)))
    assert sorted(expired) == [0, 1] and len(mails("mc_expired")) == 1


def test_candidates_are_read_in_chunks(ctx, monkeypatch):
    from esp_registry.microcredentials import windows

    monkeypatch.setattr(windows, "CHUNK", 2)
    mc = factories.microcredential()
    for n in range(5):
        attempt(f"m{n}@example.org", mc=mc)
    assert keep_windows(at(ENDS - timedelta(days=7))) == (5, 0)
    assert keep_windows(at(ENDS + timedelta(days=1))) == (0, 5)


def test_the_worker_task_runs_once(ctx):
    from esp_registry import worker

    attempt(ends=datetime.now(UTC).date() + timedelta(days=7))
    assert worker.keep_microcredential_windows.call_local() == (1, 0)
    assert worker.keep_microcredential_windows.call_local() == (0, 0)
    assert "keep_microcredential_windows" in {
        t.__name__ for t in worker.huey._registry._periodic_tasks
    }
