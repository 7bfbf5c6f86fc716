"""Every e-mail fits its outbox row (issue 11): long titles and names never break a change."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.notifications.outbox import fit_column
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration
from tests import factories

SUBJECT_MAX = OutboxMessage.__table__.c.subject.type.length
NAME_MAX = OutboxMessage.__table__.c.to_name.type.length
LONGEST_TITLE = "Organizing for power in every school district of our state, " * 4  # > 200


def longest_title() -> str:
    """As long as the offering form and column allow (200), ending mid-word."""
    length = db.Model.metadata.tables["offerings"].c.title.type.length
    return LONGEST_TITLE[:length]


def test_a_title_of_the_longest_allowed_length_registers_and_mails(client, actions):
    title = longest_title()
    assert len(title) == 200
    offering = factories.offering(title, capacity=1, waitlist_enabled=True)
    factories.person("first@example.org", name="N" * NAME_MAX)
    factories.person("pat@example.org")
    actions.sign_in("first@example.org")
    response = actions.post(f"/offerings/{offering.id}/register")
    assert response.status_code == 302  # was a 500 on PostgreSQL: subject > varchar(200)
    actions.sign_out()
    actions.sign_in("pat@example.org")
    page = actions.post(f"/offerings/{offering.id}/register", follow_redirects=True)
    assert page.status_code == 200 and "number 1 on the waitlist" in page.get_data(as_text=True)

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.kind for m in messages] == ["registration_confirmed", "registration_waitlisted"]
    for message in messages:
        assert len(message.subject) <= SUBJECT_MAX
        assert message.subject.endswith("\u2026")
        assert title in message.body_text  # the body keeps the whole title
    assert messages[0].subject.startswith("You are registered: Organizing for power")
    assert messages[0].to_name == "N" * NAME_MAX


def test_cancelling_and_promoting_with_a_long_title_mails_too(ctx):
    offering = factories.offering(longest_title(), capacity=1, waitlist_enabled=True)
    first = rules.register(factories.person("a@example.org"), offering).registration
    rules.register(factories.person("b@example.org"), offering)
    assert rules.cancel(first, by=first.user).ok
    kinds = db.session.scalars(sa.select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds[-2:] == ["registration_cancelled", "registration_promoted"]
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert all(len(s) <= SUBJECT_MAX for s in subjects)


def test_fit_column_cuts_between_words_and_never_inside_a_character():
    assert fit_column("  Short \n subject ", "subject") == "Short subject"
    words = fit_column("word " * 100, "subject")
    assert len(words) <= SUBJECT_MAX and words.endswith("word\u2026")
    solid = fit_column("x" * 300, "subject")
    assert solid == "x" * (SUBJECT_MAX - 1) + "\u2026"
    # An accent written as its own code point stays with its letter.
    accented = fit_column("x" * (SUBJECT_MAX - 2) + "e\u0301\u0301tc", "subject")
    assert accented == "x" * (SUBJECT_MAX - 2) + "\u2026"
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one emoji of five code points
    emoji = fit_column("x" * (SUBJECT_MAX - 3) + family + "tail", "subject")
    assert emoji == "x" * (SUBJECT_MAX - 3) + "\u2026"
    assert fit_column("a\x00b\r\nc", "subject") == "a b c"  # PostgreSQL refuses NUL
    assert fit_column("\ud800", "subject") == "\ufffd"  # a lone surrogate cannot be encoded
