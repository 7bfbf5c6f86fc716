"""QR self check-in and the sign-in sheet PDF (PRODUCT §6)."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta
from urllib.parse import unquote

import pypdf
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from esp_registry.accounts.models import Role
from esp_registry.attendance import rules
from esp_registry.attendance.models import AttendanceEvent, AttendanceStatus
from esp_registry.extensions import db
from esp_registry.registrations import rules as registration_rules
from tests import factories
from tests.conftest import ARTIFACTS
from tests.integration.test_attendance import marks, setup_session
from tests.integration.test_attendance_roster import add_members

SECRET = "test-secret"


def token_for(session) -> str:  # type: ignore[no-untyped-def]
    return rules.check_in_token(session, SECRET)


def test_facilitator_sees_the_qr_code_for_a_signed_token(client, actions):
    _, _, session, _ = setup_session()
    actions.sign_in("fac@example.org")
    page = client.get(f"/sessions/{session.id}/check-in").get_data(as_text=True)
    link = f"http://verify.test/check-in/{token_for(session)}"
    assert f'href="{link}"' in page and "Check-in is open now." in page
    qr = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', page)
    assert qr and "<svg" in unquote(qr.group(1))
    assert "<script" not in page.split("</head>")[1]


def test_registered_member_checks_in_and_is_credited(client, actions):
    _, _, session, _ = setup_session()
    actions.sign_in("pat@example.org")
    url = f"/check-in/{token_for(session)}"
    page = client.get(url).get_data(as_text=True)
    assert "Check me in" in page and marks() == []  # opening the link alone changes nothing
    response = actions.post(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You are checked in, Pat Member: marked present and credited 5 hours." in page
    assert marks() == [("present", "5.00")]
    event = db.session.scalar(sa.select(AttendanceEvent))
    assert (event.change.value, event.actor.email) == ("check_in", "pat@example.org")
    # Scanning again is harmless.
    assert "already checked in" in actions.post(url).get_data(as_text=True)
    assert marks() == [("present", "5.00")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceEvent)) == 1


def test_check_in_keeps_hours_a_facilitator_already_set(client, actions):
    facilitator, _, session, pat = setup_session()
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    rules.set_hours(session, pat, "1.5", facilitator)
    actions.sign_in("pat@example.org")
    assert "already checked in" in actions.post(f"/check-in/{token_for(session)}").get_data(
        as_text=True
    )
    assert marks() == [("present", "1.50")]


def test_anonymous_signs_in_then_comes_back(client, actions):
    _, _, session, _ = setup_session()
    url = f"/check-in/{token_for(session)}"
    response = client.get(url)
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert "next=%2Fcheck-in%2F" in response.headers["Location"]
    signin = response.headers["Location"]
    response = actions.post(signin, {"email": "pat@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "Check me in" in client.get(url).get_data(as_text=True)


def test_member_not_registered_is_refused(client, actions):
    _, _, session, _ = setup_session()
    factories.person("sam@example.org", name="Sam Stranger")
    actions.sign_in("sam@example.org")
    url = f"/check-in/{token_for(session)}"
    assert "do not hold a confirmed registration" in client.get(url).get_data(as_text=True)
    response = actions.post(url)
    assert response.status_code == 422
    assert "do not hold a confirmed registration" in response.get_data(as_text=True)
    assert "Check me in" not in response.get_data(as_text=True)
    assert marks() == []


def test_cancelled_registration_is_refused(client, actions):
    _, _, session, registration = setup_session()
    registration.status = "cancelled"
    db.session.commit()
    actions.sign_in("pat@example.org")
    response = actions.post(f"/check-in/{token_for(session)}")
    assert "do not hold a confirmed registration" in response.get_data(as_text=True)
    assert marks() == []


def test_forged_and_garbled_tokens_are_refused(client, actions):
    _, _, session, _ = setup_session()
    actions.sign_in("pat@example.org")
    good = token_for(session)
    _payload, signature = good.rsplit(".", 1)
    forged_payload = (
        base64.urlsafe_b64encode(b'{"session":%d}' % (session.id + 1)).decode().rstrip("=")
    )
    for token in (
        "garbage",
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        f"{forged_payload}.{signature}",
        rules.check_in_token(session, "another-secret"),
        "x" * 500,
        "%00",
    ):
        response = actions.post(f"/check-in/{token}")
        assert response.status_code in (400, 404, 422), token
        if response.status_code == 422:
            assert "not valid" in response.get_data(as_text=True), token
    assert marks() == []


def test_token_of_another_session_cannot_mark_this_one(client, actions):
    facilitator, _offering, _session, _ = setup_session()
    # Another training running now, which Pat is not registered for.
    elsewhere = factories.offering(
        "Elsewhere", starts_in=-timedelta(minutes=20), registration_closes_at=None
    )
    actions.sign_in("pat@example.org")
    response = actions.post(f"/check-in/{token_for(elsewhere.sessions[0])}")
    assert response.status_code == 422
    assert "do not hold a confirmed registration" in response.get_data(as_text=True)
    assert marks() == []
    # The token names exactly one session: a two-day training's day 2 code marks day 2 only.
    two_days = two_day_training_pat_attends(facilitator)
    response = actions.post(f"/check-in/{token_for(two_days.sessions[1])}")
    assert "Check-in for this session is open from 30 minutes before" in response.get_data(
        as_text=True
    )
    response = actions.post(f"/check-in/{token_for(two_days.sessions[0])}")
    assert "You are checked in" in response.get_data(as_text=True)
    db.session.expire_all()
    marked = db.session.scalars(sa.select(AttendanceEvent.session_id)).all()
    assert marked == [two_days.sessions[0].id]


def two_day_training_pat_attends(facilitator):  # type: ignore[no-untyped-def]
    two_days = factories.offering(
        "Two days",
        sessions=2,
        starts_in=-timedelta(minutes=20),
        registration_closes_at=None,
        facilitators=(facilitator,),
    )
    db.session.add(
        registration_rules.Registration(
            user_id=_pat().id, offering_id=two_days.id, status="confirmed"
        )
    )
    db.session.commit()
    return two_days


def _pat():  # type: ignore[no-untyped-def]
    from esp_registry.accounts.models import User

    return db.session.scalar(sa.select(User).where(User.email == "pat@example.org"))


def test_outside_the_window_is_refused(client, actions):
    _, _, session, _ = setup_session()
    actions.sign_in("pat@example.org")
    # Long over: the session ended more than the 30-minute grace ago.
    session.starts_at -= timedelta(hours=7)
    session.ends_at -= timedelta(hours=7)
    db.session.commit()
    url = f"/check-in/{token_for(session)}"
    for response in (client.get(url), actions.post(url)):
        assert response.status_code == 422
        assert "This check-in code has expired" in response.get_data(as_text=True)
    # Not yet: starts in an hour.
    session.starts_at += timedelta(hours=8, minutes=30)
    session.ends_at += timedelta(hours=8, minutes=30)
    db.session.commit()
    url = f"/check-in/{token_for(session)}"
    assert "open from 30 minutes before" in actions.post(url).get_data(as_text=True)
    assert marks() == []


def test_the_code_works_during_its_window_only(client, actions):
    _, _, session, _ = setup_session()
    pat = _pat()
    token = token_for(session)
    _opens, closes = rules.check_in_window(session)
    late = rules.check_in(token, pat, SECRET, now=closes + timedelta(seconds=1))
    assert "This check-in code has expired" in late.refusal and marks() == []
    before_the_end = rules.check_in(token, pat, SECRET, now=closes - timedelta(seconds=1))
    assert before_the_end.ok and marks() == [("present", "5.00")]


def test_a_code_from_an_earlier_run_of_the_session_is_refused(client, actions):
    _, _, session, _ = setup_session()
    actions.sign_in("pat@example.org")
    session.starts_at -= timedelta(days=1)
    session.ends_at -= timedelta(days=1)
    db.session.commit()
    yesterday = token_for(session)  # the code shown when the session ran yesterday
    session.starts_at += timedelta(days=1)  # it runs again now
    session.ends_at += timedelta(days=1)
    db.session.commit()
    today = token_for(session)
    assert today != yesterday
    response = actions.post(f"/check-in/{yesterday}")
    assert response.status_code == 422
    assert "This check-in code has expired" in response.get_data(as_text=True)
    assert marks() == []
    assert "You are checked in" in actions.post(f"/check-in/{today}").get_data(as_text=True)


def test_a_code_for_day_one_does_not_check_in_to_day_two(client, actions):
    facilitator, _, _, _ = setup_session()
    two_days = two_day_training_pat_attends(facilitator)
    pat = _pat()
    day_one, day_two = two_days.sessions
    day_one_code = token_for(day_one)
    assert day_one_code != token_for(day_two)
    # On day two, during day two's window, someone still has day one's link.
    during_day_two = day_two.starts_at + timedelta(minutes=5)
    result = rules.check_in(day_one_code, pat, SECRET, now=during_day_two)
    assert "This check-in code has expired" in result.refusal
    assert db.session.scalars(sa.select(AttendanceEvent)).all() == []
    assert rules.check_in(token_for(day_two), pat, SECRET, now=during_day_two).ok
    db.session.expire_all()
    assert db.session.scalars(sa.select(AttendanceEvent.session_id)).all() == [day_two.id]


def test_a_tampered_window_is_refused(client, actions):
    _, _, session, _ = setup_session()
    actions.sign_in("pat@example.org")
    _payload, signature = token_for(session).split(".")
    opens, closes = (int(t.timestamp()) for t in rules.check_in_window(session))
    longer = b'{"session":%d,"opens":%d,"closes":%d}' % (session.id, opens, closes + 86400)
    forged = base64.urlsafe_b64encode(longer).decode().rstrip("=")
    response = actions.post(f"/check-in/{forged}.{signature}")
    assert response.status_code == 422 and "not valid" in response.get_data(as_text=True)
    # The check-in code of before this change named the session only: no longer valid.
    old_kind = URLSafeSerializer(SECRET, salt=rules.CHECK_IN_SALT).dumps({"session": session.id})
    response = actions.post(f"/check-in/{old_kind}")
    assert response.status_code == 422 and "not valid" in response.get_data(as_text=True)
    assert marks() == []


def test_check_in_screen_and_sheet_access(client, actions):
    _, _, session, _ = setup_session()
    other = factories.person("other.fac@example.org", roles=((Role.FACILITATOR, None),))
    factories.offering("Their own workshop", facilitators=(other,))
    for email in ("pat@example.org", "other.fac@example.org"):
        actions.sign_in(email)
        for url in (
            f"/sessions/{session.id}/roster",
            f"/sessions/{session.id}/check-in",
            f"/sessions/{session.id}/sign-in-sheet.pdf",
        ):
            assert client.get(url).status_code == 404, (email, url)
        actions.sign_out()
    for url in (f"/sessions/{session.id}/check-in", f"/sessions/{session.id}/sign-in-sheet.pdf"):
        assert "/signin" in client.get(url).headers["Location"]
    assert client.get("/sessions/999999/check-in").status_code == 302


def test_sign_in_sheet_pdf_for_120_registrants(client, actions):
    _, offering, session, _ = setup_session(capacity=None, venue="Union Hall, Columbus")
    add_members(offering, [f"Member {i:03} Lastname" for i in range(119)])
    actions.sign_in("fac@example.org")
    response = client.get(f"/sessions/{session.id}/sign-in-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) > 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    for i in range(119):
        assert f"Member {i:03} Lastname" in text, i
    assert "Pat Member" in text and "Zed Template" not in text  # not registered
    assert "Beat Privatization workshop" in text and "Day 1" in text and "Signature" in text
    # The header row is repeated on every page.
    assert all("Signature" in page.extract_text() for page in reader.pages)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"sign-in-sheet-{db.engine.dialect.name}.pdf").write_bytes(response.data)
