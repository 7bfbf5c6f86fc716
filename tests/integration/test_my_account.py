"""My account, forgotten password, e-mail confirmation and e-mails in the recipient's
language (issue 12, points 1 to 4 and 8), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date

import itsdangerous.timed
import pytest
import sqlalchemy as sa

from esp_registry.accounts.models import Role, SignInSession, User
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.registrations import rules
from tests import factories
from tests.conftest import Actions

LINK = re.compile(r"http://verify\.test(/\S+)")
TOKENS = re.compile(r'(value="|"X-CSRFToken": ")[^"]+"')


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def link_in(message: OutboxMessage) -> str:
    found = LINK.search(message.body_text)
    assert found, message.body_text
    return found.group(1)


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def sign_up(actions: Actions, email: str = "rosa@example.org", path: str = "/signup"):  # type: ignore[no-untyped-def]
    return actions.post(
        path,
        {
            "full_name": "Rosa Martinez",
            "email": email,
            "password": "long enough password",
            "confirm": "long enough password",
            "affiliate_id": factories.affiliate("OH").id,
            "job_family_id": factories.family("food-services").id,
        },
    )


def later(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """Move itsdangerous's clock forward, as if the e-mail had waited that long."""
    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + seconds)


# ---------------------------------------------------------------- confirmation at sign-up


def test_a_new_account_registers_at_once_but_gets_only_the_confirmation_email(client, actions):
    offering = factories.offering()
    assert sign_up(actions).status_code == 302
    member = user("rosa@example.org")
    assert member.email_confirmed_at is None
    page = client.get("/my-trainings").get_data(as_text=True)
    assert "Please confirm your e-mail address" in page
    assert actions.post(f"/offerings/{offering.id}/register").status_code == 302
    assert [m.kind for m in outbox()] == ["confirm_email"]
    assert outbox()[0].to_email == "rosa@example.org"

    link = link_in(outbox("confirm_email")[0])
    assert client.get(link).status_code == 200  # a GET (a mail scanner) confirms nothing
    assert user("rosa@example.org").email_confirmed_at is None
    confirmed = actions.post(link)
    assert confirmed.status_code == 302
    assert "is confirmed" in client.get("/my-trainings").get_data(as_text=True)
    assert user("rosa@example.org").email_confirmed_at is not None
    again = actions.post(link)
    assert "already confirmed" in client.get(again.headers["Location"]).get_data(as_text=True)

    # From now on the member gets mail like everyone else.
    registration = db.session.scalar(sa.select(rules.Registration))
    rules.cancel(registration, by=user("rosa@example.org"))
    db.session.commit()
    assert [m.kind for m in outbox()][-1] == "registration_cancelled"


def test_confirmation_link_dies_when_the_address_changes_and_a_forged_one_is_refused(
    client, actions
):
    sign_up(actions)
    link = link_in(outbox("confirm_email")[0])
    member = user("rosa@example.org")
    member.email = "rosa.new@example.org"
    db.session.commit()
    response = actions.post(link)
    assert response.status_code == 410 and "no longer works" in response.get_data(as_text=True)
    assert actions.post(link[:-3] + "xyz").status_code == 410
    assert user("rosa.new@example.org").email_confirmed_at is None


def test_confirmation_link_expires(client, actions, monkeypatch):
    sign_up(actions)
    link = link_in(outbox("confirm_email")[0])
    later(monkeypatch, 8 * 24 * 3600)
    response = actions.post(link)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


# ---------------------------------------------------------------- forgotten password


def test_forgot_password_says_the_same_whether_or_not_the_account_exists(client, actions):
    factories.person("pat@example.org")
    pages = []
    for email in ("pat@example.org", "nobody@example.org"):
        response = actions.post("/password/forgot", {"email": email})
        assert response.status_code == 302 and response.headers["Location"] == "/signin"
        page = client.get("/signin").get_data(as_text=True).replace(email, "EMAIL")
        pages.append(TOKENS.sub("TOKEN", page))  # CSRF tokens are dated: they always differ
    assert pages[0] == pages[1] and "If an account uses EMAIL" in pages[0]
    assert [m.to_email for m in outbox("password_reset")] == ["pat@example.org"]


def test_reset_link_sets_a_password_once_signs_in_and_ends_other_sessions(ctx, client, actions):
    factories.person("pat@example.org")
    elsewhere = Actions(ctx.test_client())
    elsewhere.sign_in("pat@example.org")
    actions.post("/password/forgot", {"email": "PAT@example.org"})
    link = link_in(outbox("password_reset")[0])
    assert "60 minutes" in outbox("password_reset")[0].body_text

    form = client.get(link)
    assert form.status_code == 200 and "Set a new password" in form.get_data(as_text=True)
    mismatch = actions.post(link, {"new_password": "brand new secret", "confirm": "different"})
    assert mismatch.status_code == 422
    done = actions.post(link, {"new_password": "brand new secret", "confirm": "brand new secret"})
    assert done.status_code == 302 and done.headers["Location"] == "/my-trainings"
    assert client.get("/my-trainings").status_code == 200  # signed in
    assert elsewhere.client.get("/my-trainings").status_code == 302  # the other one ended
    assert user("pat@example.org").check_password("brand new secret")
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SignInSession)
        .where(SignInSession.ended_at.is_(None))
    )
    assert active == 1

    used = client.get(link)
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)
    replay = actions.post(
        link, {"new_password": "attacker password", "confirm": "attacker password"}
    )
    assert replay.status_code == 410
    assert user("pat@example.org").check_password("brand new secret")


def test_reset_link_expires_after_an_hour_and_a_forged_one_is_refused(client, actions, monkeypatch):
    factories.person("pat@example.org")
    actions.post("/password/forgot", {"email": "pat@example.org"})
    link = link_in(outbox("password_reset")[0])
    assert client.get(link[:-4] + "AAAA").status_code == 410
    later(monkeypatch, 3601)
    expired = client.get(link)
    assert expired.status_code == 410 and "It has expired" in expired.get_data(as_text=True)
    response = actions.post(
        link, {"new_password": "brand new secret", "confirm": "brand new secret"}
    )
    assert response.status_code == 410
    assert user("pat@example.org").check_password(factories.PASSWORD)


def test_a_reset_link_also_confirms_the_address(client, actions):
    sign_up(actions)
    actions.sign_out()
    actions.post("/password/forgot", {"email": "rosa@example.org"})
    link = link_in(outbox("password_reset")[0])
    actions.post(link, {"new_password": "brand new secret", "confirm": "brand new secret"})
    assert user("rosa@example.org").email_confirmed_at is not None


# ---------------------------------------------------------------- my account


def account_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "full_name": "Pat Member",
        "email": "pat@example.org",
        "affiliate_id": factories.affiliate("OH").id,
        "local_name": "Test Local",
        "job_family_id": factories.family("paraeducators").id,
        "job_title": "Tester",
        "started_job_on": "",
        "preferred_language": "en",
    }
    data.update(changes)
    return data


def test_my_account_saves_the_details_a_member_may_change(client, actions):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert 'value="Pat Member"' in page and 'value="pat@example.org"' in page
    response = actions.post(
        "/account",
        account_data(
            full_name="  Pat   Q. Member ",
            affiliate_id=factories.affiliate("TX").id,
            local_name="Austin EA",
            job_family_id=factories.family("custodial-and-maintenance").id,
            job_title="Head Custodian",
            started_job_on="2024-08-19",
        ),
    )
    assert response.status_code == 302
    saved = user("pat@example.org")
    assert saved.full_name == "Pat Q. Member" and saved.affiliate.code == "TX"
    assert saved.job_family.slug == "custodial-and-maintenance" and saved.local_name == "Austin EA"
    assert saved.started_job_on == date(2024, 8, 19) and saved.job_title == "Head Custodian"
    assert outbox() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("started_job_on", "9999-12-31", "not in the future"),
        ("started_job_on", "²⁰²⁴-01-01", "Not a valid date"),
        ("started_job_on", "1900-01-01", "after 1950"),
        ("full_name", "x" * 121, "120"),
        ("full_name", "", "Enter your full name."),
        ("email", "not an address", "Enter an e-mail address, e.g. name@example.org."),
        ("affiliate_id", "99999999999", "Choose your state affiliate from the list."),
        ("preferred_language", "fr", "Choose English or Español."),
    ],
)
def test_my_account_bad_input_says_what_is_wrong_and_stores_nothing(
    client, actions, field, value, message
):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    response = actions.post("/account", {**account_data(full_name="Changed Name"), field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user("pat@example.org").full_name == "Pat Member"


def test_changing_the_email_waits_for_the_new_address_to_confirm(ctx, client, actions):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    response = actions.post("/account", account_data(email="Pat.New@example.org"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We sent a link to pat.new@example.org" in page
    assert user("pat@example.org") is not None  # the old address stays until confirmed
    (change,) = outbox("email_change")
    assert change.to_email == "pat.new@example.org"
    link = link_in(change)

    anonymous = Actions(ctx.test_client())  # opened on a phone, not signed in
    assert anonymous.post(link).status_code == 302
    assert user("pat@example.org") is None
    moved = user("pat.new@example.org")
    assert moved is not None and moved.email_confirmed_at is not None
    (notice,) = outbox("email_changed")
    assert notice.to_email == "pat@example.org" and "pat.new@example.org" in notice.body_text
    fresh = Actions(ctx.test_client())
    assert fresh.sign_in("pat@example.org").status_code == 422
    assert fresh.sign_in("pat.new@example.org").status_code == 302
    again = anonymous.post(link)
    assert "already used" in anonymous.client.get(again.headers["Location"]).get_data(as_text=True)


def test_an_email_belonging_to_someone_else_is_refused(client, actions):
    factories.person("pat@example.org")
    factories.person("sam@example.org")
    actions.sign_in("pat@example.org")
    response = actions.post("/account", account_data(email="sam@example.org", full_name="New"))
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)
    assert user("pat@example.org").full_name == "Pat Member" and outbox() == []


# ---------------------------------------------------------------- languages


def test_emails_are_written_in_the_recipients_language_whoever_triggers_them(client, actions):
    offering = factories.offering(capacity=3, host="OH", title="Taller")
    member = factories.person("rosa@example.org", name="Rosa")
    member.preferred_language = "es"
    db.session.commit()
    taken = rules.register(member, offering)
    factories.person("oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    actions.sign_in("oh@example.org")  # an English-speaking approver
    actions.post(f"/registrations/{taken.registration.id}/staff-cancel", {"reason": "x"})
    message = outbox("registration_cancelled")[0]
    assert message.subject == "Inscripción cancelada: Taller"
    assert "Hola, Rosa:" in message.body_text and 'lang="es"' in message.body_html
    assert "Hello" not in message.body_text


def test_the_interface_follows_the_preferred_language_and_offers_to_save_a_switch(client, actions):
    member = factories.person("rosa@example.org")
    member.preferred_language = "es"
    db.session.commit()
    actions.sign_in("rosa@example.org")
    page = client.get("/my-trainings").get_data(as_text=True)
    assert '<html lang="es">' in page and "Mis capacitaciones" in page
    assert "Save this language" not in page and "Guardar" not in page.split("<main")[0]
    english = client.get("/my-trainings?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Save this language" in english
    saved = actions.post("/account/language", {"language": "en", "next": "/my-trainings"})
    assert saved.status_code == 302 and saved.headers["Location"] == "/my-trainings"
    assert user("rosa@example.org").preferred_language == "en"
    assert "Save this language" not in client.get("/my-trainings").get_data(as_text=True)


def test_sign_up_records_the_language_it_was_made_in(client, actions):
    client.get("/?lang=es")
    sign_up(actions)
    assert user("rosa@example.org").preferred_language == "es"
    assert outbox("confirm_email")[0].subject == (
        "Confirme su dirección de correo electrónico para ESP Registry"
    )


# ---------------------------------------------------------------- sign-up keeps where you were


def test_sign_up_from_an_offering_returns_to_it(client, actions):
    offering = factories.offering()
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert f"/signup?next=/offerings/{offering.id}" in page.replace("%2F", "/")
    response = sign_up(actions, path=f"/signup?next=/offerings/{offering.id}")
    assert response.headers["Location"] == f"/offerings/{offering.id}"


def test_sign_up_never_returns_off_site(client, actions):
    response = sign_up(actions, path="/signup?next=/%09/evil.example")
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_mail_written_outside_a_request_is_in_the_recipients_language_too(ctx):
    """The worker (seat offers lapsing, mentoring completing) has no request: the
    recipient's language still decides."""
    offering = factories.offering(capacity=3, title="Taller")
    member = factories.person("rosa@example.org", name="Rosa")
    member.preferred_language = "es"
    db.session.commit()
    taken = rules.register(member, offering)
    rules.cancel(taken.registration, by=member)  # called as the worker would, no request
    db.session.commit()
    message = outbox("registration_cancelled")[0]
    assert message.subject == "Inscripción cancelada: Taller"
    assert 'lang="es"' in message.body_html
