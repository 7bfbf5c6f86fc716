"""The background worker (Huey): sends the outbox and lapses seat offers that ran out.

Run it with `huey_consumer esp_registry.worker.huey` (`make worker`; `make run` starts it
beside the web server). Its queue is an SQLite file in instance/, or Redis when REDIS_URL
is set. The queue only says "look now": the outbox table is the durable record, and the
every-minute runs pick up whatever a lost or failed nudge left behind.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis
from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from esp_registry import ROOT, config
from esp_registry.extensions import db
from esp_registry.notifications.delivery import drain_outbox
from esp_registry.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

QUEUE_NAME = "esp-registry"
OUTBOX_WRITTEN = "outbox_written"  # key in Session.info, set by a flush that added e-mails


def _queue() -> Huey:
    """Redis when REDIS_URL is set (several servers share it), else an SQLite file."""
    url = config.redis_url()
    if url:
        # Fail fast when Redis is away: a web request only logs that it could not enqueue.
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        return RedisHuey(QUEUE_NAME, connection_pool=pool, results=False)
    instance = ROOT / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(instance / "huey.db"), results=False)


huey = _queue()

_app: Flask | None = None
_app_lock = threading.Lock()


def worker_app() -> Flask:
    """The app tasks run in: created once per worker process (or the caller's, when a test
    runs tasks in-line with `huey.immediate`)."""
    global _app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
    with _app_lock:
        if _app is None:
            from esp_registry import create_app

            _app = create_app()
        return _app


@huey.task()
def deliver_outbox() -> int:
    """Send due e-mails now: enqueued right after a commit that wrote some, and by a run
    that stopped at its bound with more to send."""
    return _drain()


@huey.periodic_task(crontab(minute="*"))
def deliver_outbox_every_minute() -> int:
    """Retries, and e-mails whose nudge never reached the queue."""
    return _drain()


def _drain() -> int:
    """One bounded delivery run; when it stopped with messages still due (after an outage,
    thousands), the next run is enqueued at once instead of waiting for the next minute."""
    with worker_app().app_context():
        run = drain_outbox()
        if run.cut_short:
            try:
                deliver_outbox()
            except Exception:
                log.warning("could not enqueue the next delivery run", exc_info=True)
    return run.sent


@huey.periodic_task(crontab(minute="*"))
def expire_seat_offers() -> int:
    """Seat offers not accepted in time lapse and go to the next person (PRODUCT §4)."""
    from esp_registry.registrations.rules import expire_offers

    with worker_app().app_context():
        return expire_offers()


def init_app(app: Flask) -> None:
    """After each commit that wrote e-mails to the outbox, nudge the worker to send them
    (unless WORKER_ENQUEUE is off, as in the tests)."""
    app.config.setdefault("WORKER_ENQUEUE", True)
    for name, listener in (
        ("after_flush", _note_outbox_writes),
        ("after_commit", _nudge_worker),
        ("after_rollback", _forget_outbox_writes),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _note_outbox_writes(session: Session, _flush_context: Any) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info[OUTBOX_WRITTEN] = True


def _forget_outbox_writes(session: Session) -> None:
    session.info.pop(OUTBOX_WRITTEN, None)


def _nudge_worker(session: Session) -> None:
    if not session.info.pop(OUTBOX_WRITTEN, False):
        return
    if not (has_app_context() and current_app.config.get("WORKER_ENQUEUE")):
        return
    try:
        deliver_outbox()
    except Exception:
        # The change is committed and the e-mail is in the outbox: the periodic run sends it.
        log.warning(
            "could not enqueue deliver_outbox; the every-minute run will send the mail",
            exc_info=True,
        )


@huey.periodic_task(crontab(minute="*/10"))
def lapse_unconfirmed_lft_places() -> int:
    """Leaders for Tomorrow places not confirmed in time go to the first alternate."""
    from esp_registry.lft.rules import lapse_unconfirmed

    with worker_app().app_context():
        return lapse_unconfirmed()


@huey.task()
def print_certificates(job_id: int) -> None:
    """All certificates of an offering as one PDF, with progress on the job row."""
    from esp_registry.certificates.printing import run_print_job

    with worker_app().app_context():
        run_print_job(job_id)


@huey.periodic_task(crontab(minute="41", hour="3"))
def delete_expired_certificate_prints() -> int:
    """Bulk-print PDFs older than CERTIFICATE_PRINTS_KEEP_DAYS (7) are deleted, daily."""
    from esp_registry.certificates.printing import delete_expired_prints

    with worker_app().app_context():
        return delete_expired_prints()


@huey.periodic_task(crontab(minute="17"))
def complete_due_mentoring_pairings() -> int:
    """Mentoring pairings whose two years are up complete and issue certificates (PRODUCT §8)."""
    from esp_registry.mentoring.rules import complete_due_pairings

    with worker_app().app_context():
        return complete_due_pairings()


@huey.periodic_task(crontab(minute="5"))
def remind_required_trainings() -> int:
    """E-mails 60 and 14 days before a required training is due (PRODUCT §13). Daily would
    do; hourly (and once at start, below) is safe because each reminder is sent once."""
    from esp_registry.credit.required.reminders import send_due_reminders

    with worker_app().app_context():
        return send_due_reminders()


@huey.on_startup()
def _remind_at_start() -> None:
    """A worker that just started (a demo's `make run`) checks at once, not at minute 5."""
    try:
        remind_required_trainings()
    except Exception:
        log.warning("could not enqueue the required-training reminders", exc_info=True)


@huey.periodic_task(crontab(minute="23"))
def keep_microcredential_windows() -> tuple[int, int]:
    """Micro-credential windows (PRODUCT §14): warnings 30 and 7 days before a window ends,
    and expiry of attempts still drafting when it has ended. Hourly is safe: each warning
    and each expiry happens once."""
    from esp_registry.microcredentials.windows import keep_windows

    with worker_app().app_context():
        return keep_windows()
