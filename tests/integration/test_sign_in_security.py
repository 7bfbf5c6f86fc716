"""Sign-in, sessions and redirects as an attacker would try them (issue 11, findings 2 to 6)."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from esp_registry.accounts import rules as account_rules
from esp_registry.accounts.models import Role, SignInSession
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations import rules
from esp_registry.web import safe_next
from tests import factories
from tests.conftest import CSRF_RE, Actions, csrf_token


def signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/my-trainings").status_code == 200


def session_cookie(client) -> str:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def client_with_cookie(app, value: str):  # type: ignore[no-untyped-def]
    other = app.test_client()
    other.set_cookie("session", value)
    return other


# ------------------------------------------------------------------ sessions end on the server


def test_replayed_cookie_after_sign_out_opens_nothing(ctx, client, actions):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    stolen = session_cookie(client)
    token = csrf_token(client)
    assert actions.sign_out().status_code == 302
    replay = client_with_cookie(ctx, stolen)
    assert replay.get("/my-trainings").status_code == 302  # sent to sign in
    offering = factories.offering()
    response = replay.post(f"/offerings/{offering.id}/register", data={"csrf_token": token})
    assert response.status_code in (302, 400)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(rules.Registration)) == 0
    ended = db.session.scalars(sa.select(SignInSession.ended_at)).all()
    assert len(ended) == 1 and ended[0] is not None


def test_sign_out_everywhere_ends_every_device(ctx):
    factories.person("pat@example.org")
    phone, laptop = Actions(ctx.test_client()), Actions(ctx.test_client())
    phone.sign_in("pat@example.org")
    laptop.sign_in("pat@example.org")
    assert signed_in(phone.client) and signed_in(laptop.client)
    page = laptop.client.get("/account/security").get_data(as_text=True)
    assert page.count("<li>") >= 2 and "This device" in page and "Another device" in page
    response = laptop.post("/signout/everywhere")
    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    assert not signed_in(phone.client) and not signed_in(laptop.client)


def test_password_change_ends_the_other_sessions_and_keeps_this_one(ctx):
    factories.person("pat@example.org")
    phone, laptop = Actions(ctx.test_client()), Actions(ctx.test_client())
    phone.sign_in("pat@example.org")
    laptop.sign_in("pat@example.org")
    wrong = laptop.post(
        "/account/password",
        {
            "current_password": "not it at all",
            "new_password": "a brand new one",
            "confirm": "a brand new one",
        },
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    assert signed_in(phone.client)
    changed = laptop.post(
        "/account/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "a brand new one",
            "confirm": "a brand new one",
        },
    )
    assert changed.status_code == 302
    page = laptop.client.get(changed.headers["Location"]).get_data(as_text=True)
    assert "1 other device was signed out" in page
    assert signed_in(laptop.client) and not signed_in(phone.client)
    assert phone.sign_in("pat@example.org").status_code == 422
    assert phone.sign_in("pat@example.org", "a brand new one").status_code == 302


def test_a_sign_in_idle_too_long_is_ended(ctx, client, actions):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    assert signed_in(client)
    db.session.execute(sa.update(SignInSession).values(last_seen_at=utcnow() - timedelta(days=15)))
    db.session.commit()
    assert not signed_in(client)


def test_csrf_token_from_before_sign_in_is_refused_after(ctx, client, actions):
    factories.person("pat@example.org")
    offering = factories.offering()
    before = csrf_token(client)
    actions.sign_in("pat@example.org")
    after = csrf_token(client)
    assert before != after
    old = client.post(f"/offerings/{offering.id}/register", data={"csrf_token": before})
    assert old.status_code == 400
    new = client.post(f"/offerings/{offering.id}/register", data={"csrf_token": after})
    assert new.status_code == 302


def test_the_cookie_names_a_random_token_never_the_user_id(ctx, client, actions):
    user = factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    row = db.session.scalar(sa.select(SignInSession))
    assert row.user_id == user.id and len(row.token_digest) == 64
    # A cookie signed with the app's key but naming "user 1" (the old format) signs nobody in.
    serializer = ctx.session_interface.get_signing_serializer(ctx)
    forged = serializer.dumps({"_user_id": str(user.id), "_fresh": True})
    assert not signed_in(client_with_cookie(ctx, forged))


# ------------------------------------------------------------------ throttling


@pytest.fixture
def limits(ctx):  # type: ignore[no-untyped-def]
    saved = {k: ctx.config[k] for k in ("LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS")}
    yield ctx.config
    ctx.config.update(saved)


def test_failed_sign_ins_are_throttled_per_account_not_per_address(ctx, limits):
    limits["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per minute"
    factories.person("victim@example.org")
    factories.person("colleague@example.org")
    attacker = Actions(ctx.test_client())
    codes = [attacker.sign_in("victim@example.org", "guess").status_code for _ in range(5)]
    assert codes == [422, 422, 422, 429, 429]
    # Even the right password waits until the window passes: that is what throttling means.
    assert attacker.sign_in("victim@example.org").status_code == 429
    # A colleague on the same network signs in at once.
    assert Actions(ctx.test_client()).sign_in("colleague@example.org").status_code == 302


def test_successful_sign_ins_are_never_counted(ctx, limits):
    limits["LOGIN_FAILURES_PER_ADDRESS"] = "3 per minute"
    for number in range(12):
        factories.person(f"member{number}@example.org")
    for number in range(12):  # a whole training room behind one address
        assert Actions(ctx.test_client()).sign_in(f"member{number}@example.org").status_code == 302


def test_failures_from_one_address_are_throttled_across_accounts(ctx, limits):
    limits["LOGIN_FAILURES_PER_ADDRESS"] = "3 per minute"
    guesser = Actions(ctx.test_client())
    codes = [guesser.sign_in(f"n{i}@example.org", "guess").status_code for i in range(4)]
    assert codes == [422, 422, 422, 429]


def test_forwarded_for_is_believed_only_from_trusted_proxies(ctx, limits):
    limits["LOGIN_FAILURES_PER_ADDRESS"] = "2 per minute"
    guesser = Actions(ctx.test_client())

    def attempt(address: str) -> int:
        return guesser.post(
            "/signin",
            {"email": f"{address}@example.org", "password": "guess"},
            headers={"X-Forwarded-For": address},
        ).status_code

    # No trusted proxy (the default): a forged header does not buy new attempts.
    assert [attempt(f"10.0.0.{i}") for i in range(3)] == [422, 422, 429]


def test_forwarded_for_from_one_trusted_proxy_gives_the_client_address(ctx):
    from tests.conftest import make_test_app

    behind_proxy = make_test_app(
        ctx.config["SQLALCHEMY_DATABASE_URI"],
        TRUSTED_PROXIES=1,
        LOGIN_FAILURES_PER_ADDRESS="2 per minute",
    )
    guesser = Actions(behind_proxy.test_client())

    def attempt(address: str) -> int:
        return guesser.post(
            "/signin",
            {"email": "x@example.org", "password": "guess"},
            headers={"X-Forwarded-For": address},
        ).status_code

    with behind_proxy.app_context():
        assert [attempt("192.0.2.1") for _ in range(3)] == [422, 422, 429]
        assert attempt("192.0.2.2") == 422  # another member behind the same proxy
        db.session.remove()
        db.engine.dispose()


def test_sign_up_is_throttled_per_address(ctx):
    saved = ctx.config["SIGNUP_RATE_LIMIT"]
    ctx.config["SIGNUP_RATE_LIMIT"] = "2 per hour"
    try:
        visitor = Actions(ctx.test_client())
        codes = [visitor.post("/signup", {"email": "x"}).status_code for _ in range(3)]
    finally:
        ctx.config["SIGNUP_RATE_LIMIT"] = saved
    assert codes == [422, 422, 429]


# ------------------------------------------------------------------ account enumeration


def test_unknown_email_costs_a_password_hash_too(ctx, monkeypatch):
    calls: list[str] = []
    real = account_rules.check_password_hash

    def spy(hashed: str, password: str) -> bool:
        calls.append(hashed.split("$")[0])
        return real(hashed, password)

    monkeypatch.setattr(account_rules, "check_password_hash", spy)
    assert account_rules.authenticate("nobody@example.org", "guess") is None
    assert calls == [ctx.config["PASSWORD_HASH_METHOD"]]


def test_sign_in_takes_as_long_for_an_unknown_email(ctx, limits):
    ctx.config["PASSWORD_HASH_METHOD"] = "scrypt"  # the production hash, which is what takes time
    try:
        user = factories.person("known@example.org")
        user.set_password(factories.PASSWORD)
        db.session.commit()

        def median(email: str) -> float:
            times = []
            for _ in range(5):
                start = time.perf_counter()
                account_rules.authenticate(email, "wrong password")
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        known, unknown = median("known@example.org"), median("unknown@example.org")
    finally:
        ctx.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    # Before the fix an unknown address answered ~40 times sooner; noise stays well inside 3 times.
    assert unknown > known / 3, (known, unknown)


# ------------------------------------------------------------------ redirects

EVIL_NEXT = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " //evil.example",
    "evil.example",
    "/\x7f/evil.example",
]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_safe_next_keeps_only_paths_on_this_site(target):
    assert safe_next(target, "/home") == "/home"


def test_safe_next_keeps_real_paths():
    assert safe_next("/offerings/3?tab=sessions#x", "/home") == "/offerings/3?tab=sessions#x"
    assert safe_next("/manage/offerings/3#registrations", "/home").startswith("/manage/")


def test_tab_in_next_does_not_redirect_off_site_after_sign_in(client, actions):
    factories.person("pat@example.org")
    response = actions.post(
        "/signin?next=/%09/evil.example",
        {"email": "pat@example.org", "password": factories.PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my-trainings"
    # Signed in already: the GET redirects at once, and must be just as careful.
    again = client.get("/signin?next=/%09/evil.example")
    assert again.headers["Location"] == "/my-trainings"
    newline = client.get("/signin?next=/%0d%0aSet-Cookie:x=1")
    assert newline.status_code == 302 and newline.headers["Location"] == "/my-trainings"


def test_line_break_in_next_after_staff_cancel_reports_what_was_done(client, actions):
    offering = factories.offering(capacity=3, host="OH")
    taken = rules.register(factories.person("a@example.org", name="Ann First"), offering)
    factories.person("oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    actions.sign_in("oh@example.org")
    response = actions.post(
        f"/registrations/{taken.registration.id}/staff-cancel",
        {"reason": "Moved", "next": "/manage\nx"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/offerings/{offering.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was saved" not in page and "Something went wrong" not in page
    status = db.session.scalar(
        sa.select(rules.Registration.status).where(rules.Registration.id == taken.registration.id)
    )
    assert status == "cancelled"


def test_the_security_page_is_for_the_signed_in_person_only(client, actions):
    assert client.get("/account/security").headers["Location"].startswith("/signin")
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    page = client.get("/account/security").get_data(as_text=True)
    assert CSRF_RE.search(page) and "Change your password" in page and "This device" in page


# ------------------------------------------------------------------ content security policy


def test_csp_allows_only_the_pinned_htmx_file_from_the_cdn(client):
    from esp_registry import HTMX_URL

    policy = client.get("/").headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'", HTMX_URL]
    assert HTMX_URL.startswith("https://unpkg.com/htmx.org@") and HTMX_URL.endswith(".min.js")
