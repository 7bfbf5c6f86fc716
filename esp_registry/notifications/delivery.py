"""Sending the outbox (PRODUCT §10): the worker delivers due e-mails over SMTP, with retries.

A message is marked sent only after the mail server accepted it. A failed try leaves it
pending and tries again later (1 minute, doubling, at most an hour apart); after
MAX_ATTEMPTS tries it is marked failed and kept for staff to see. Nothing is deleted.
A crash between the server's answer and the commit sends that one message again:
at least once, never lost, and with the same Message-ID, so the receiving side can tell.

A run drains the outbox: it sends message after message until none is due, bounded by
RUN_LIMIT messages and RUN_SECONDS so that one run ends; the worker then starts the next.
"""

from __future__ import annotations

import logging
import random
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app

from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 15  # about nine hours of retries
JITTER = 0.1  # up to 10 % later, so messages that failed together do not retry together
RUN_LIMIT = 1000  # messages one run tries at most, and
RUN_SECONDS = 60.0  # how long it keeps going: the worker's other tasks wait for it


class ServerUnreachable(OSError):
    """Could not connect or sign in: the rest of this run's messages would fail the same way."""


# SMTP refusals and network errors are OSErrors; a header that cannot be written is a ValueError.
DELIVERY_ERRORS = (OSError, ValueError, MessageError)


class Transport(Protocol):
    def send(self, email: EmailMessage) -> None: ...

    def close(self) -> None: ...


class SMTPTransport:
    """One SMTP connection per delivery run, opened on first use and reopened after an error."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def send(self, email: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            # Raises unless the server accepted the message for its one recipient.
            self.connection.send_message(email)
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except OSError:
            self.connection.close()
        self.connection = None

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["MAIL_SERVER"], int(self.config["MAIL_PORT"])
        try:
            connection = smtplib.SMTP(host, port, timeout=float(self.config["MAIL_TIMEOUT"]))
        except OSError as error:
            raise ServerUnreachable(f"cannot connect to {host}:{port}: {error}") from error
        try:
            if self.config["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
            if self.config["MAIL_USERNAME"]:
                connection.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
        except OSError as error:
            connection.close()
            raise ServerUnreachable(f"{host}:{port} refused TLS or sign-in: {error}") from error
        return connection


class ConsoleTransport:
    """Prints each e-mail (headers and plain text) instead of sending it: for development."""

    def send(self, email: EmailMessage) -> None:
        text = email.get_body(preferencelist=("plain",))
        body = text.get_content() if text is not None else ""
        headers = "".join(f"{name}: {email[name]}\n" for name in ("From", "To", "Subject"))
        print(f"----- e-mail -----\n{headers}\n{body.rstrip()}\n------------------", flush=True)

    def close(self) -> None:
        pass


def transport_for(config: Mapping[str, Any]) -> Transport:
    """The transport MAIL_BACKEND names: "smtp" (the default) or "console"."""
    backend = config.get("MAIL_BACKEND", "smtp")
    if backend == "smtp":
        return SMTPTransport(config)
    if backend == "console":
        return ConsoleTransport()
    raise ValueError(f"MAIL_BACKEND must be 'smtp' or 'console', not {backend!r}")


def retry_delay(attempts: int, jitter: float = 0.0) -> timedelta:
    """The wait after the `attempts`-th failed try: 1 minute, doubling, at most an hour;
    `jitter` (a fraction, e.g. 0.05) makes it that much longer."""
    doubled = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 12)
    return min(doubled, LONGEST_WAIT) * (1 + jitter)


def compose(message: OutboxMessage, sender: str, now: datetime) -> EmailMessage:
    """The e-mail for an outbox message: plain text with an HTML alternative."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = Address(display_name=message.to_name, addr_spec=message.to_email)
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    # The same Message-ID on every try lets a receiving server drop a duplicate.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "esp-registry.invalid"
    email["Message-ID"] = f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def next_due(now: datetime) -> OutboxMessage | None:
    """The oldest pending message due by `now`, locked until the caller commits.

    On PostgreSQL other workers skip the locked row (FOR UPDATE SKIP LOCKED), so no two
    send the same message; SQLite ignores the clause (one writer, run one worker)."""
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(query).first()


def mark_sent(message: OutboxMessage, now: datetime) -> None:
    """The mail server accepted it: sent, never tried again."""
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.sent_at = now


def record_failure(message: OutboxMessage, error: BaseException, now: datetime) -> None:
    """A failed try: count it and keep the error; try again after `retry_delay`, or after
    MAX_ATTEMPTS tries give up (status failed)."""
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        log.error(
            "giving up on outbox message %s after %s tries: %s", message.id, message.attempts, error
        )
    else:
        message.next_attempt_at = now + retry_delay(message.attempts, random.uniform(0, JITTER))
        log.warning("outbox message %s not sent (try %s): %s", message.id, message.attempts, error)


@dataclass(frozen=True)
class DeliveryRun:
    sent: int
    cut_short: bool  # stopped at its bound, not because none was due: run again now


def deliver_due(now: datetime | None = None, limit: int | None = None) -> int:
    """Send the due e-mails of the outbox, oldest first (at most `limit`, for at most
    RUN_SECONDS); returns how many were sent."""
    return drain_outbox(now, limit).sent


def drain_outbox(
    now: datetime | None = None,
    limit: int | None = None,
    seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> DeliveryRun:
    """Send due e-mails one after the other until none is due, or `limit` were tried, or
    `seconds` have passed (then `cut_short`: the caller runs it again).

    Each message is committed on its own right after the server's answer. When the server
    cannot be reached the run stops: the other messages wait, untouched, for the next run.
    Messages written after the run began wait for the next run. `now` (for tests) fixes
    the clock; otherwise each message is stamped with the time it was sent."""
    due_by = now or utcnow()
    limit = RUN_LIMIT if limit is None else limit
    deadline = clock() + (RUN_SECONDS if seconds is None else seconds)
    config = current_app.config
    transport = transport_for(config)
    sent = 0
    try:
        for _ in range(limit):
            if clock() >= deadline:
                break
            message = next_due(due_by)
            if message is None:
                return DeliveryRun(sent, cut_short=False)
            moment = now or utcnow()
            try:
                transport.send(compose(message, config["MAIL_DEFAULT_SENDER"], moment))
            except DELIVERY_ERRORS as error:
                record_failure(message, error, moment)
                db.session.commit()
                if isinstance(error, ServerUnreachable):
                    return DeliveryRun(sent, cut_short=False)
                continue
            mark_sent(message, moment)
            db.session.commit()
            sent += 1
    finally:
        transport.close()
    return DeliveryRun(sent, cut_short=True)
