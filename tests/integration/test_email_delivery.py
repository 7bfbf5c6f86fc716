"""E-mail from the outbox to a real SMTP server (aiosmtpd on 127.0.0.1), on both databases.

A message is marked sent only once the server accepted it; while the server is down or
refuses, the message stays in the outbox and is tried again later, then delivered once.
"""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from huey import RedisHuey

from esp_registry import worker
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications import delivery
from esp_registry.notifications.delivery import MAX_ATTEMPTS, deliver_due, drain_outbox
from esp_registry.notifications.models import OutboxMessage, OutboxStatus
from esp_registry.notifications.outbox import queue_email
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories


class Mailbox:
    """An aiosmtpd handler that keeps what it accepted, or refuses with a 550."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse_at: str | None = None  # "RCPT" or "DATA"
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if self.refuse_at == "RCPT":
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.refuse_at == "DATA":
            return "550 5.7.1 Message refused"
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.received.append(parsed)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """A real SMTP server on a fixed free port of 127.0.0.1 that can be stopped and restarted."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(ctx, monkeypatch) -> Iterator[SMTPServer]:  # type: ignore[no-untyped-def]
    server = SMTPServer()
    server.start()
    for key, value in {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": "",
        "MAIL_TIMEOUT": 5.0,
        "MAIL_DEFAULT_SENDER": "ESP Registry <no-reply@esp-registry.test>",
    }.items():
        monkeypatch.setitem(ctx.config, key, value)
    yield server
    server.stop()


def outbox_message(to: str = "pat@example.org", subject: str = "Hello") -> OutboxMessage:
    message = OutboxMessage(
        kind="test",
        to_email=to,
        to_name="Pat Member",
        subject=subject,
        body_text=f"Plain text for {to}\n",
        body_html=f"<p>HTML for {to}</p>",
    )
    db.session.add(message)
    db.session.commit()
    return message


def reloaded(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def confirmed_registration_email() -> OutboxMessage:
    member = factories.person("pat@example.org", name="Pat Member")
    offering = factories.offering("Beat Privatization workshop")
    registration = Registration(offering=offering, user=member, status=RegistrationStatus.CONFIRMED)
    db.session.add(registration)
    db.session.flush()
    message = queue_email(member, "registration_confirmed", registration=registration)
    db.session.commit()
    return message


def test_a_queued_email_arrives_with_its_recipient_subject_and_both_parts(smtp):
    message = confirmed_registration_email()
    now = utcnow()

    assert deliver_due(now) == 1

    assert smtp.mailbox.envelopes == [("no-reply@esp-registry.test", ["pat@example.org"])]
    [received] = smtp.mailbox.received
    assert received["To"] == "Pat Member <pat@example.org>"
    assert received["Subject"] == message.subject
    assert "Beat Privatization workshop" in received["Subject"]
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Hello Pat Member" in text and "http://verify.test/my-trainings" in text
    assert "Hello Pat Member" in html and '<a href="http://verify.test/my-trainings' in html
    sent = reloaded(message.id)
    assert (sent.status, sent.sent_at, sent.attempts) == (OutboxStatus.SENT, now, 1)
    assert deliver_due(now + timedelta(hours=2)) == 0  # sent once, never again
    assert len(smtp.mailbox.received) == 1


def test_with_the_server_down_the_message_waits_and_is_delivered_once_it_is_back(smtp):
    message = outbox_message()
    smtp.stop()
    now = utcnow()

    assert deliver_due(now) == 0

    waiting = reloaded(message.id)
    assert (waiting.status, waiting.attempts, waiting.sent_at) == (OutboxStatus.PENDING, 1, None)
    assert "connect" in waiting.last_error
    assert now + timedelta(minutes=1) <= waiting.next_attempt_at <= now + timedelta(seconds=66)

    smtp.start()
    assert deliver_due(now + timedelta(seconds=30)) == 0  # not due yet
    assert smtp.mailbox.received == []
    later = now + timedelta(minutes=2)
    assert deliver_due(later) == 1
    assert deliver_due(later + timedelta(hours=1)) == 0
    assert [m["To"] for m in smtp.mailbox.received] == ["Pat Member <pat@example.org>"]
    delivered = reloaded(message.id)
    assert (delivered.status, delivered.sent_at, delivered.attempts) == (
        OutboxStatus.SENT,
        later,
        2,
    )


def test_a_server_down_stops_the_run_and_leaves_the_other_messages_untouched(smtp):
    first, second = outbox_message("a@example.org"), outbox_message("b@example.org")
    smtp.stop()
    assert deliver_due(utcnow()) == 0
    assert reloaded(first.id).attempts == 1
    assert reloaded(second.id).attempts == 0  # not tried: the server was known to be down
    assert reloaded(second.id).status == OutboxStatus.PENDING


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_a_refused_message_is_not_marked_sent(smtp, stage):
    message = outbox_message()
    smtp.mailbox.refuse_at = stage
    now = utcnow()

    assert deliver_due(now) == 0

    refused = reloaded(message.id)
    assert (refused.status, refused.attempts, refused.sent_at) == (OutboxStatus.PENDING, 1, None)
    assert "550" in refused.last_error
    assert refused.next_attempt_at > now
    assert smtp.mailbox.received == []


def test_one_refused_message_does_not_hold_up_the_next(smtp):
    refused, accepted = outbox_message("nobody@example.org"), outbox_message("pat@example.org")

    original = smtp.mailbox.handle_RCPT

    async def refuse_nobody(server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if address == "nobody@example.org":
            return "550 5.1.1 No such mailbox here"
        return await original(server, session, envelope, address, options)

    smtp.mailbox.handle_RCPT = refuse_nobody  # type: ignore[method-assign]
    assert deliver_due(utcnow()) == 1
    assert reloaded(refused.id).status == OutboxStatus.PENDING
    assert reloaded(accepted.id).status == OutboxStatus.SENT
    assert [m["To"] for m in smtp.mailbox.received] == ["Pat Member <pat@example.org>"]


def test_retries_back_off_doubling_up_to_an_hour_then_give_up(smtp):
    message = outbox_message()
    smtp.mailbox.refuse_at = "DATA"
    clock = utcnow()
    waits: list[timedelta] = []

    for _ in range(MAX_ATTEMPTS):
        assert deliver_due(clock) == 0
        current = reloaded(message.id)
        if current.status == OutboxStatus.FAILED:
            break
        waits.append(current.next_attempt_at - clock)
        clock = current.next_attempt_at

    expected = [min(2**n, 60) for n in range(MAX_ATTEMPTS - 1)]
    assert len(waits) == MAX_ATTEMPTS - 1
    for wait, minutes in zip(waits, expected, strict=True):
        assert timedelta(minutes=minutes) <= wait <= timedelta(minutes=minutes) * 1.1
    given_up = reloaded(message.id)
    assert (given_up.status, given_up.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    smtp.mailbox.refuse_at = None
    assert deliver_due(clock + timedelta(days=1)) == 0  # failed is final
    assert reloaded(message.id).attempts == MAX_ATTEMPTS


def test_console_backend_prints_the_email_and_marks_it_sent(ctx, monkeypatch, capsys):
    monkeypatch.setitem(ctx.config, "MAIL_BACKEND", "console")
    message = outbox_message(subject="You are registered")
    assert deliver_due(utcnow()) == 1
    printed = capsys.readouterr().out
    assert "To: Pat Member <pat@example.org>" in printed
    assert "Subject: You are registered" in printed
    assert "Plain text for pat@example.org" in printed
    assert reloaded(message.id).status == OutboxStatus.SENT


def test_two_workers_at_once_send_each_message_exactly_once(ctx, smtp):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer and runs one worker; the row locks are PostgreSQL's")
    ids = [outbox_message(f"member{n}@example.org").id for n in range(40)]
    now = utcnow()
    start = threading.Barrier(3)
    counts: list[int] = []

    def worker_run() -> None:
        with ctx.app_context():
            start.wait()
            counts.append(deliver_due(now))

    threads = [threading.Thread(target=worker_run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    recipients = [rcpt for _, [rcpt] in smtp.mailbox.envelopes]
    assert sorted(recipients) == sorted(f"member{n}@example.org" for n in range(40))
    assert sum(counts) == 40
    assert len(counts) == 3 and all(count < 40 for count in counts)  # the work was shared
    db.session.expire_all()
    statuses = db.session.scalars(
        sa.select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))
    ).all()
    assert set(statuses) == {OutboxStatus.SENT}


# After an outage: the backlog drains at once, not 100 a minute; a run is still bounded.


def backlog(count: int) -> list[int]:
    messages = [
        OutboxMessage(
            kind="test",
            to_email=f"member{n}@example.org",
            subject=f"Backlog {n}",
            body_text="text",
            body_html="<p>html</p>",
        )
        for n in range(count)
    ]
    db.session.add_all(messages)
    db.session.commit()
    return [m.id for m in messages]


def statuses_of(ids: list[int]) -> set[OutboxStatus]:
    db.session.expire_all()
    query = sa.select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))
    return set(db.session.scalars(query))


def test_one_run_sends_a_backlog_of_260_due_messages(smtp):
    ids = backlog(260)

    assert deliver_due(utcnow()) == 260

    assert len(smtp.mailbox.received) == 260
    assert statuses_of(ids) == {OutboxStatus.SENT}


def test_the_worker_task_runs_again_at_once_while_messages_are_due(ctx, monkeypatch, smtp):
    monkeypatch.setattr(delivery, "RUN_LIMIT", 100, raising=False)  # three runs for 250 messages
    monkeypatch.setattr(worker.huey, "immediate", True)  # run tasks in-line, in memory
    ids = backlog(250)

    worker.deliver_outbox_every_minute()

    assert sorted(rcpt for _, [rcpt] in smtp.mailbox.envelopes) == sorted(
        f"member{n}@example.org" for n in range(250)
    )
    assert statuses_of(ids) == {OutboxStatus.SENT}


def test_a_run_stops_at_its_limit_or_its_time_and_says_it_was_cut_short(smtp):
    backlog(12)
    ticks = iter(range(1000))

    timed = drain_outbox(utcnow(), seconds=3, clock=lambda: next(ticks))
    assert (timed.sent, timed.cut_short) == (2, True)
    counted = drain_outbox(utcnow(), limit=4)
    assert (counted.sent, counted.cut_short) == (4, True)
    rest = drain_outbox(utcnow())
    assert (rest.sent, rest.cut_short) == (6, False)
    assert len(smtp.mailbox.received) == 12


def test_a_run_stopped_by_a_server_down_is_not_repeated_at_once(ctx, monkeypatch, smtp):
    monkeypatch.setattr(worker.huey, "immediate", True)
    backlog(3)
    smtp.stop()
    runs: list[object] = []
    original = worker.drain_outbox
    monkeypatch.setattr(worker, "drain_outbox", lambda: runs.append(1) or original())

    worker.deliver_outbox()
    assert runs == [1]  # waits for the every-minute run (and the retry delay)


# At least once: a worker killed between the server's answer and the commit sends the
# message again, with the same Message-ID, so the receiving side can drop the copy.


class WorkerKilled(BaseException):
    pass


def test_a_retry_after_a_crash_sends_the_same_message_id(smtp, monkeypatch):
    message = outbox_message()
    now = utcnow()

    def killed(*args: object) -> None:
        raise WorkerKilled

    with monkeypatch.context() as crash:
        crash.setattr(delivery, "mark_sent", killed)
        with pytest.raises(WorkerKilled):
            deliver_due(now)
    db.session.rollback()  # what the dead worker's connection does
    assert reloaded(message.id).status == OutboxStatus.PENDING

    assert deliver_due(now + timedelta(seconds=5)) == 1

    first, second = smtp.mailbox.received
    assert first["Message-ID"] == second["Message-ID"]
    created = reloaded(message.id).created_at
    assert first["Message-ID"] == (
        f"<outbox-{message.id}.{created:%Y%m%d%H%M%S}@esp-registry.test>"
    )
    assert reloaded(message.id).status == OutboxStatus.SENT


def test_each_message_has_its_own_message_id(smtp):
    backlog(3)
    deliver_due(utcnow())
    assert len({m["Message-ID"] for m in smtp.mailbox.received}) == 3


# The nudge: a commit that wrote e-mails enqueues deliver_outbox, and never fails for it.


@pytest.fixture
def nudges(ctx, monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    worker.init_app(ctx)
    monkeypatch.setitem(ctx.config, "WORKER_ENQUEUE", True)
    monkeypatch.setattr(worker, "deliver_outbox", lambda: calls.append(1))
    return calls


def test_a_commit_that_wrote_emails_nudges_the_worker_once(nudges):
    member = factories.person("pat@example.org")
    assert nudges == []  # a commit without e-mails does not
    for subject in ("one", "two"):
        db.session.add(
            OutboxMessage(
                kind="test",
                to_email=member.email,
                subject=subject,
                body_text="text",
                body_html="<p>html</p>",
            )
        )
    db.session.flush()
    db.session.commit()
    assert nudges == [1]


def test_a_rolled_back_email_does_not_nudge(nudges):
    outbox_message()
    assert nudges == [1]
    db.session.add(
        OutboxMessage(kind="t", to_email="x@example.org", subject="s", body_text="t", body_html="h")
    )
    db.session.flush()
    db.session.rollback()
    factories.person("pat@example.org")
    assert nudges == [1]


def test_no_nudge_when_worker_enqueue_is_off(nudges, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "WORKER_ENQUEUE", False)
    outbox_message()
    assert nudges == []


def test_an_unreachable_queue_loses_nothing(ctx, monkeypatch, smtp):
    worker.init_app(ctx)
    monkeypatch.setitem(ctx.config, "WORKER_ENQUEUE", True)
    nobody_there = f"redis://127.0.0.1:{free_port()}/0"
    pool = redis.ConnectionPool.from_url(nobody_there, socket_connect_timeout=1)
    monkeypatch.setattr(worker.deliver_outbox, "huey", RedisHuey("test", connection_pool=pool))

    message = outbox_message()  # the commit succeeds although the enqueue failed

    assert reloaded(message.id).status == OutboxStatus.PENDING
    assert deliver_due(utcnow()) == 1  # what the every-minute run does
    assert len(smtp.mailbox.received) == 1


def test_the_nudged_task_delivers_within_the_commit(ctx, monkeypatch, smtp):
    worker.init_app(ctx)
    monkeypatch.setitem(ctx.config, "WORKER_ENQUEUE", True)
    monkeypatch.setattr(worker.huey, "immediate", True)  # run tasks in-line, in memory

    message = confirmed_registration_email()

    assert [m["To"] for m in smtp.mailbox.received] == ["Pat Member <pat@example.org>"]
    assert reloaded(message.id).status == OutboxStatus.SENT
