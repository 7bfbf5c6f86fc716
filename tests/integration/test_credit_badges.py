"""Open Badges 3.0 through the app: the published issuer and key set, the member's download
(verified with cryptography alone, from /badges/jwks.json), and /badges/verify refusing a
tampered, a revoked and a not-yet-valid credential with the reason."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from joserfc import jws

from esp_registry.accounts.models import User
from esp_registry.attendance import rules as attendance_rules
from esp_registry.attendance.models import AttendanceStatus
from esp_registry.badges import credential as cred
from esp_registry.badges.baking import unbake
from esp_registry.badges.keys import key_id, signing_key
from esp_registry.badges.models import BadgeEmail
from esp_registry.certificates.models import Certificate
from esp_registry.credit.required.models import RenewalKind, RequiredTraining
from esp_registry.extensions import db
from esp_registry.mentoring import rules as mentoring_rules
from esp_registry.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import csrf_token
from tests.integration.mentoring_world import paired, the_admin
from tests.integration.test_certificates import attended
from tests.unit.test_credit_badges import independent_check


def download(client, actions):  # type: ignore[no-untyped-def]
    registration = attended()
    actions.sign_in("rosa@example.org")
    assert "Digital badge (JSON)" in client.get("/my-trainings").get_data(as_text=True)
    response = client.get(f"/badges/registrations/{registration.id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    return registration, response.get_json()


def check(client, text: str = "", upload: bytes | None = None) -> str:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"csrf_token": csrf_token(client), "credential": text}
    if upload is not None:
        data["upload"] = (io.BytesIO(upload), "badge.json")
    response = client.post("/badges/verify", data=data, content_type="multipart/form-data")
    assert response.status_code in (200, 413, 422)
    return response.get_data(as_text=True)


def test_issuer_and_key_set_are_public_and_stable(client):
    profile = client.get("/badges/issuer")
    assert profile.mimetype == "application/ld+json"
    assert profile.get_json()["id"] == "http://verify.test/badges/issuer"
    assert profile.get_json()["type"] == ["Profile"]
    keys = client.get("/badges/jwks.json").get_json()["keys"]
    assert [k["kid"] for k in keys] == [key_id(signing_key(), "http://verify.test")]
    assert all("d" not in k for k in keys)
    assert client.get("/badges/image.svg").mimetype == "image/svg+xml"


def test_member_downloads_a_badge_that_verifies_from_the_published_keys(client, actions):
    registration, badge = download(client, actions)
    certificate = db.session.scalar(sa.select(Certificate))
    jwks = client.get("/badges/jwks.json").get_json()
    checked = independent_check(badge["jwt"], jwks)
    assert checked["payload"] == {
        **badge["credential"],
        "iss": "http://verify.test/badges/issuer",
        "jti": f"http://verify.test/badges/credentials/{certificate.code}",
        "nbf": checked["payload"]["nbf"],
    }
    subject = badge["credential"]["credentialSubject"]
    assert subject["achievement"]["name"] == "Beat Privatization workshop (Columbus)"
    assert subject["creditsEarned"] == 4.5
    salt = subject["identifier"][0]["salt"]
    assert subject["identifier"][0]["identityHash"] == cred.identity_hash("rosa@example.org", salt)
    # The credential's id leads to the certificate's public verification page.
    assert (
        client.get(badge["credential"]["id"].removeprefix("http://verify.test"))
        .headers["Location"]
        .endswith(f"/verify/{certificate.code}")
    )

    page = check(client, json.dumps(badge))
    assert "This badge is genuine and valid." in page and "Failed:" not in page
    assert "Signed with the registry&#39;s published key" in page
    assert "not revoked" in page
    # The bare JWT, uploaded as a file, is just as good.
    assert "genuine and valid" in check(client, upload=badge["jwt"].encode())
    # So is the badge image with the credential baked in.
    image = client.get(f"/badges/registrations/{registration.id}.svg")
    assert (
        image.mimetype == "image/svg+xml" and "attachment" in image.headers["Content-Disposition"]
    )
    assert unbake(image.get_data(as_text=True)) is not None
    assert "genuine and valid" in check(client, upload=image.data)


def test_only_the_member_and_only_once_earned(client, actions):
    registration = attended(present=False)
    url = f"/badges/registrations/{registration.id}.json"
    assert "/signin" in client.get(url).headers["Location"]
    actions.sign_in("rosa@example.org")
    assert client.get(url).status_code == 404  # no hours credited: no certificate, no badge
    session = registration.offering.sessions[0]
    facilitator = registration.offering.facilitators[0]
    attendance_rules.mark(session, registration, AttendanceStatus.PRESENT, facilitator)
    assert client.get(url).status_code == 200
    actions.sign_out()
    for other in ("nosy@example.org", "fac@example.org"):
        if other == "nosy@example.org":
            factories.person(other)
        actions.sign_in(other)
        assert client.get(url).status_code == 404
        actions.sign_out()


def test_verify_refuses_tampered_revoked_and_not_yet_valid(client, actions):
    _registration, badge = download(client, actions)
    header, payload, signature = badge["jwt"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["creditsEarned"] = 40
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    page = check(client, f"{header}.{forged}.{signature}")
    assert "Failed:" in page and "does not match the registry&#39;s published key" in page
    assert "genuine" not in page

    # Signed by us but dated in the future: not valid yet.
    future = dict(badge["credential"], validFrom="2099-01-01T00:00:00Z")
    page = check(
        client, cred.sign(future, signing_key(), key_id(signing_key(), "http://verify.test"))
    )
    assert "Failed:</strong> It is not valid yet" in page

    # OB 3.0: the JOSE header's typ, if present, is "JWT"; another type is refused, but
    # "vc+jwt", what badges said before, still verifies.
    key = signing_key()
    signed_claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def typed(typ: str) -> str:
        fields = {"alg": "EdDSA", "kid": key_id(key, "http://verify.test"), "typ": typ}
        return jws.serialize_compact(fields, json.dumps(signed_claims), key, algorithms=["EdDSA"])

    page = check(client, typed("application/example"))
    assert "Failed:</strong> The signature is right but its header does not say it" in page
    assert "This badge is genuine and valid." in check(client, typed("vc+jwt"))
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["typ"] == "JWT"

    certificate = db.session.scalar(sa.select(Certificate))
    certificate.revoked_at = certificate.issued_at + timedelta(days=1)
    certificate.revoked_reason = "Signed in for someone else"
    db.session.commit()
    page = check(client, json.dumps(badge))
    assert "Passed:</strong> Signed with" in page
    assert "Failed:</strong> The registry&#39;s status list marks it revoked" in page
    assert "Failed:</strong> The registry revoked this certificate" in page
    assert "genuine" not in page


def test_status_list_is_signed_and_sets_the_revoked_badges_bit(client, actions):
    """Read with cryptography, gzip and base64 only, as another verifier would."""
    _registration, badge = download(client, actions)
    jwks = client.get("/badges/jwks.json").get_json()
    entry = badge["credential"]["credentialStatus"]
    index = int(entry["statusListIndex"])

    def bit() -> bool:
        path = entry["statusListCredential"].removeprefix("http://verify.test")
        response = client.get(path)
        assert response.mimetype == "application/vc+jwt"
        listed = independent_check(response.get_data(as_text=True), jwks)["payload"]
        assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        subject = listed["credentialSubject"]
        assert subject["statusPurpose"] == entry["statusPurpose"] == "revocation"
        encoded = subject["encodedList"].removeprefix("u")
        raw = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        assert len(raw) >= 16_384
        return bool(raw[index // 8] & (0x80 >> (index % 8)))

    assert bit() is False
    assert "The registry&#39;s signed status list does not mark it revoked" in check(
        client, badge["jwt"]
    )
    certificate = db.session.scalar(sa.select(Certificate))
    certificate.revoked_at = certificate.issued_at + timedelta(days=1)
    certificate.revoked_reason = "Signed in for someone else"
    db.session.commit()
    assert bit() is True


def test_verify_says_what_is_wrong_with_junk(client):
    assert "Paste a credential or choose a file" in check(client, "")
    assert "Found no signed credential" in check(client, "hello")
    assert "Found no signed credential" in check(client, '{"jwt": 5}')
    assert "does not match" in check(client, "a.b.c")
    too_big = check(client, upload=b"x" * (1024 * 1024 + 1))
    assert "larger than 1 MB" in too_big


def test_a_required_programs_badge_carries_its_expiry_and_is_refused_after(client, actions):
    registration = attended()
    offering = registration.offering
    db.session.add(
        RequiredTraining(
            program_id=offering.program_id,
            kind=RenewalKind.EXPIRY,
            valid_months=1,
            job_families=[factories.family("food-services")],
        )
    )
    for session in offering.sessions:  # it took place two months ago: expired since
        session.starts_at -= timedelta(days=60)
        session.ends_at -= timedelta(days=60)
    db.session.commit()
    actions.sign_in("rosa@example.org")
    badge = client.get(f"/badges/registrations/{registration.id}.json").get_json()
    claims = independent_check(badge["jwt"], client.get("/badges/jwks.json").get_json())
    valid_until = datetime.fromisoformat(badge["credential"]["validUntil"])
    assert claims["payload"]["exp"] == int(valid_until.timestamp())
    page = check(client, badge["jwt"])
    assert "Failed:</strong> It expired on" in page and "genuine" not in page


def test_a_mentoring_certificate_is_a_badge_for_its_holder_only(client, actions):
    pairing = paired()
    today = datetime.now(UTC).date()
    mentoring_rules.log_activity(
        pairing, pairing.mentor, mentoring_rules.LogEntry("coaching", today, Decimal("2"))
    )
    assert mentoring_rules.complete_pairing(pairing, the_admin()).ok
    factories.person("nosy@example.org")
    actions.sign_in("nosy@example.org")
    assert client.get(f"/badges/mentoring/{pairing.id}.json").status_code == 404
    actions.sign_out()
    actions.sign_in("mentor@example.org")
    assert f"/badges/mentoring/{pairing.id}.json" in client.get(
        f"/mentoring/pairings/{pairing.id}"
    ).get_data(as_text=True)
    badge = client.get(f"/badges/mentoring/{pairing.id}.json").get_json()
    achievement = badge["credential"]["credentialSubject"]["achievement"]
    assert achievement["id"] == "http://verify.test/badges/achievements/mentoring/mentor"
    assert achievement["name"] == "Supporting Our Own: ESP Mentoring (mentor)"
    (identity,) = badge["credential"]["credentialSubject"]["identifier"]
    assert identity["identityHash"] == cred.identity_hash("mentor@example.org", identity["salt"])
    image = client.get(f"/badges/mentoring/{pairing.id}.svg")
    assert "genuine and valid" in check(client, upload=image.data)


def test_a_personal_email_confirmed_by_its_link_is_what_new_badges_name(client, actions):
    registration = attended()
    db.session.get(User, registration.user_id).preferred_language = "es"
    db.session.commit()
    actions.sign_in("rosa@example.org")
    assert "rosa@example.org" in client.get("/badges/email").get_data(as_text=True)
    assert actions.post("/badges/email", {"email": "Rosa@Example.org"}).status_code == 422
    assert actions.post("/badges/email", {"email": "Rosa.Home@Example.net"}).status_code == 302
    (sent,) = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "badge_email")
    ).all()
    assert sent.to_email == "rosa.home@example.net" and "insignias" in sent.subject  # Spanish
    link = re.search(r"http://verify\.test(/badges/email/confirm/\S+)", sent.body_text).group(1)
    url = f"/badges/registrations/{registration.id}.json"

    def named() -> str:
        (identity,) = client.get(url).get_json()["credential"]["credentialSubject"]["identifier"]
        for address in ("rosa@example.org", "rosa.home@example.net"):
            if identity["identityHash"] == cred.identity_hash(address, identity["salt"]):
                return address
        raise AssertionError("the badge names neither address")

    assert named() == "rosa@example.org"  # not until the link is opened
    assert client.get(link).status_code == 200  # a mail scanner opening it changes nothing
    assert named() == "rosa@example.org"
    assert actions.post(link).status_code == 302
    assert named() == "rosa.home@example.net"
    assert actions.post(link).status_code == 410  # once
    assert actions.post("/badges/email/remove").status_code == 302
    assert named() == "rosa@example.org"
    assert actions.post("/badges/email/confirm/forged").status_code == 410
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BadgeEmail)) == 0
