"""The member's own data (issue 12, point 7): download everything, close the account
(anonymised, certificates keep verifying as printed); on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import sqlalchemy as sa

from esp_registry.accounts.models import SignInSession, User
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import display_code, issue_certificate
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration
from tests import factories
from tests.conftest import Actions
from tests.integration.test_certificates import attended


def test_download_my_data_holds_everything_and_only_mine(ctx, client, actions):
    registration = attended()
    certificate = issue_certificate(registration)
    factories.person("other@example.org", name="Somebody Else")
    actions.sign_in("rosa@example.org")
    response = client.get("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["full_name"] == "Rosa Delgado"
    assert data["profile"]["email"] == "rosa@example.org"
    (mine,) = data["registrations"]
    assert mine["training"] == "Beat Privatization workshop (Columbus)"
    assert mine["status"] == "confirmed"
    assert mine["attendance"][0]["status"] == "present"
    assert mine["attendance"][0]["credited_hours"] == "4.5"
    assert [c["code"] for c in data["certificates"]] == [certificate.code]
    assert len(data["sign_ins"]) == 1
    assert "Somebody Else" not in response.get_data(as_text=True)
    assert client.get("/account/data").headers["Cache-Control"] == "no-store"


def test_closing_needs_the_password_and_the_tick(ctx, client, actions):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    wrong = actions.post("/account/close", {"password": "not mine", "understood": "y"})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    unticked = actions.post("/account/close", {"password": factories.PASSWORD})
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.full_name)) == "Pat Member"


def test_a_closed_account_is_anonymised_and_its_certificates_verify_as_printed(
    ctx, client, actions
):
    registration = attended()
    certificate = issue_certificate(registration)
    elsewhere = Actions(ctx.test_client())
    elsewhere.sign_in("rosa@example.org")
    actions.sign_in("rosa@example.org")
    response = actions.post("/account/close", {"password": factories.PASSWORD, "understood": "y"})
    assert response.status_code == 302
    assert "Your account is closed" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.expire_all()
    user = db.session.get(User, registration.user_id)
    assert user.full_name == "Former member" and user.email.endswith("@closed.invalid")
    assert user.local_name == "" and user.closed_at is not None
    assert elsewhere.client.get("/my-trainings").status_code == 302
    assert Actions(ctx.test_client()).sign_in("rosa@example.org").status_code == 422
    open_sessions = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SignInSession)
        .where(SignInSession.ended_at.is_(None))
    )
    assert open_sessions == 0
    # The record of the training stays, without the name.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    # The certificate verifies under the printed name, and is not reissued as "Former member".
    page = client.get(f"/verify/{display_code(certificate.code)}").get_data(as_text=True)
    assert "Rosa Delgado" in page
    again = issue_certificate(db.session.get(Registration, registration.id))
    assert again is not None and again.code == certificate.code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    # The address is free for a new account.
    assert not db.session.scalar(sa.select(User.id).where(User.email == "rosa@example.org"))
