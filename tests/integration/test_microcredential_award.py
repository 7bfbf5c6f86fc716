"""An awarded micro-credential (PRODUCT §14): its certificate PDF (the member's own only,
once awarded, not once revoked), /verify as the third kind of certificate, revocation by
national admins, the transcript line (page, PDF, totals, fingerprint), credit units
(Massachusetts: 2 micro-credentials = 10 PDPs), the Open Badges credential, and flat
query counts."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.accounts.models import Role, User
from esp_registry.badges.baking import unbake
from esp_registry.certificates.models import Certificate, TranscriptCode
from esp_registry.certificates.rules import display_code
from esp_registry.certificates.transcript import transcript_fingerprint, transcript_for
from esp_registry.credit.units import rules as unit_rules
from esp_registry.extensions import db
from esp_registry.microcredentials import award as awards
from esp_registry.microcredentials.models import Attempt, AttemptStatus
from tests import factories
from tests.integration.microcredential_world import AWARDED, award_of, awarded
from tests.integration.test_credit_badges import check
from tests.integration.test_credit_units import units_world
from tests.integration.test_query_counts import queries_for
from tests.integration.test_transcript import text_of, training


def certificate_of(attempt: Attempt) -> Certificate:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.microcredential_attempt_id == attempt.id,
            Certificate.replaced_by_id.is_(None),
        )
    )


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def admin() -> User:
    return factories.person(
        "admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )


# ---------------------------------------------------------------------------- certificate


def test_the_member_downloads_the_certificate_of_their_award(client, actions):
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    attempt = awarded(member)
    certificate = certificate_of(attempt)
    actions.sign_in("rosa@example.org")
    page = text_of(client.get(f"/microcredentials/attempts/{attempt.id}/award").get_data(True))
    assert "Positive Behavior Supports" in page and "Awarded May 20, 2025" in page
    assert "Download my certificate (PDF)" in page and "Digital badge (JSON)" in page
    assert display_code(certificate.code) in page

    response = client.get(f"/microcredentials/attempts/{attempt.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"certificate-{certificate.code}.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = pdf_text(response.data)
    for expected in (
        "Rosa Delgado",
        "Micro-credential",
        "Positive Behavior Supports",
        "The ESP demonstrates: positive behavior supports.",
        "awarded May 20, 2025, for 15 credit hours",
        "Paraeducators",
        "Ohio",
        display_code(certificate.code),
        f"http://verify.test/verify/{certificate.code}",
    ):
        assert expected in text, expected
    # The same PDF again: the browser's copy is still good.
    again = client.get(
        f"/microcredentials/attempts/{attempt.id}/certificate.pdf",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_someone_elses_or_an_unawarded_attempt_is_a_404(client, actions):
    member = factories.person("rosa@example.org")
    attempt = awarded(member)
    open_one = Attempt(
        user=member,
        microcredential=factories.microcredential("Another one"),
        window_ends_on=date(2026, 1, 1),
    )
    db.session.add(open_one)
    db.session.commit()
    urls = [
        f"/microcredentials/attempts/{attempt.id}/{what}"
        for what in ("award", "certificate.pdf", "badge.json", "badge.svg", "badge.png")
    ]
    assert "/signin" in client.get(urls[1]).headers["Location"]
    factories.person("nosy@example.org")
    factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    for other in ("nosy@example.org", "fac@example.org"):
        actions.sign_in(other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
        actions.sign_out()
    actions.sign_in(member.email)
    for what in ("award", "certificate.pdf", "badge.json", "badge.svg", "badge.png"):
        url = f"/microcredentials/attempts/{open_one.id}/{what}"
        assert client.get(url).status_code == 404, url
    assert client.get("/microcredentials/attempts/99999999999/certificate.pdf").status_code == 404


def test_verify_shows_the_micro_credential(client, actions):
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    attempt = awarded(member, hours="12.5")
    certificate = certificate_of(attempt)
    response = client.get(f"/verify/{display_code(certificate.code).lower()}")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "This is a valid micro-credential." in page
    assert "<dt>Micro-credential</dt><dd>Positive Behavior Supports</dd>" in page
    assert "<dt>Awarded</dt><dd>May 20, 2025</dd>" in page
    assert "<dt>Credit hours</dt><dd>12.5</dd>" in page
    assert "Rosa Delgado" in page and "rosa@example.org" not in page
    assert "attendance" not in page


def test_a_national_admin_revokes_it_and_then_it_is_gone_everywhere(client, actions):
    member = factories.person("rosa@example.org", name="Rosa Delgado", state="MA")
    attempt = awarded(member)
    certificate = certificate_of(attempt)
    approver = factories.person("appr@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    url = f"/certificates/{certificate.id}/revoke"

    # Neither the member nor an approver may revoke it; they do not even see it exists.
    for who in (member.email, approver.email):
        actions.sign_in(who)
        assert actions.post(url, {"reason": "No"}).status_code == 404
        actions.sign_out()
    assert certificate_of(attempt).revoked_at is None

    admin()
    actions.sign_in("admin@example.org")
    page = client.get(f"/microcredentials/attempts/{attempt.id}/award").get_data(as_text=True)
    assert "Rosa Delgado" in page and "Reason for revoking" in page
    assert "Download my certificate" not in page  # not the admin's to download
    assert actions.post(url, {"reason": "  "}).status_code == 302
    assert certificate_of(attempt).revoked_at is None
    response = actions.post(url, {"reason": "Evidence was copied"})
    assert response.headers["Location"].endswith(f"/microcredentials/attempts/{attempt.id}/award")
    revoked = certificate_of(attempt)
    assert revoked.revoked_reason == "Evidence was copied" and revoked.revoked_at is not None
    actions.sign_out()

    page = text_of(client.get(f"/verify/{certificate.code}").get_data(as_text=True))
    assert "was revoked on" in page and "valid micro-credential" not in page
    actions.sign_in(member.email)
    for what in ("certificate.pdf", "badge.json", "badge.svg", "badge.png"):
        assert client.get(f"/microcredentials/attempts/{attempt.id}/{what}").status_code == 404
    page = client.get(f"/microcredentials/attempts/{attempt.id}/award").get_data(as_text=True)
    assert "was revoked on" in page and "Download my certificate" not in page
    assert "Positive Behavior Supports" not in client.get("/transcript").get_data(as_text=True)
    assert unit_rules.microcredentials_earned(member, 2025) == 0


def test_a_new_name_reissues_the_certificate_and_the_old_code_still_verifies(client, actions):
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    attempt = awarded(member)
    old = certificate_of(attempt)
    member.full_name = "Rosa Delgado Ruiz"
    db.session.commit()
    actions.sign_in(member.email)
    response = client.get(f"/microcredentials/attempts/{attempt.id}/certificate.pdf")
    new = certificate_of(attempt)
    assert new.id != old.id and new.member_name == "Rosa Delgado Ruiz"
    assert new.microcredential_attempt_id == attempt.id and new.hours == old.hours
    assert "Rosa Delgado Ruiz" in pdf_text(response.data)
    page = text_of(client.get(f"/verify/{old.code}").get_data(as_text=True))
    assert "reissued" in page and display_code(new.code) in page


# ---------------------------------------------------------------------------- transcript


def test_the_award_is_a_transcript_line_in_its_years_totals(client, actions):
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    training(member, facilitator, "Crisis plan", datetime(2025, 3, 5, 15, tzinfo=UTC), "4.5")
    attempt = awarded(member)
    actions.sign_in(member.email)
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert f'href="/microcredentials/attempts/{attempt.id}/award"' in page
    assert "Micro-credential: Positive Behavior Supports" in page
    assert "Awarded May 20, 2025" in page
    assert "Total for 2025</th><td><strong>19.5" in page

    response = client.get("/transcript.pdf")
    text = pdf_text(response.data)
    assert "Micro-credential: Positive Behavior Supports" in text
    assert "Awarded May 20, 2025" in text and "Total for 2025 19.5" in text
    assert db.session.scalar(sa.select(TranscriptCode.total_hours)) == Decimal("19.5")

    # Spanish: the micro-credential's Spanish name.
    microcredential = attempt.microcredential
    microcredential.name_es = "Apoyos para la conducta positiva"
    db.session.commit()
    page = text_of(client.get("/transcript?lang=es").get_data(as_text=True))
    assert "Apoyos para la conducta positiva" in page


def test_an_award_changes_the_transcripts_fingerprint(ctx):
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    before = transcript_fingerprint(transcript_for(member))
    attempt = awarded(member)
    after = transcript_fingerprint(transcript_for(member))
    assert after != before
    certificate = certificate_of(attempt)
    certificate.revoked_at = AWARDED + timedelta(days=3)
    certificate.revoked_reason = "Copied"
    db.session.commit()
    assert transcript_fingerprint(transcript_for(member)) == before


def test_transcript_queries_do_not_grow_with_micro_credentials(client, actions):
    units_world()
    member = factories.person("rosa@example.org", state="MA")
    for i in range(2):
        awarded(member, f"Micro {i}", AWARDED + timedelta(days=40 * i))
    actions.sign_in(member.email)
    few = queries_for(client, "/transcript"), queries_for(client, "/transcript.pdf")
    for i in range(2, 12):
        awarded(member, f"Micro {i}", AWARDED - timedelta(days=70 * i))
    many = queries_for(client, "/transcript"), queries_for(client, "/transcript.pdf")
    assert many == few
    assert "Micro 11" in client.get("/transcript").get_data(as_text=True)


# ---------------------------------------------------------------------------- credit


def test_massachusetts_two_micro_credentials_earn_ten_pdps(client, actions):
    """Only whole blocks of two count: 3 awarded in a year give 10 PDPs, 4 give 20. (The
    rule here converts micro-credentials only, so the numbers are theirs alone.)"""
    _staff, _ceu, pdp, *_ = units_world()
    rule = db.session.scalar(
        sa.select(unit_rules.CreditRule).where(unit_rules.CreditRule.unit_id == pdp.id)
    )
    rule.hours_per_unit = None
    db.session.commit()
    member = factories.person("rosa@example.org", state="MA")
    for i in range(3):
        awarded(member, f"Micro {i}", AWARDED + timedelta(days=i))
    awarded(member, "Last year's", datetime(2024, 6, 1, 12, tzinfo=UTC))
    assert unit_rules.microcredentials_earned(member, 2025) == 3
    assert unit_rules.microcredentials_earned(member, 2024) == 1
    actions.sign_in(member.email)
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert "Professional Development Points in 2025" in page and "<strong>10 PDP" in page
    assert "Total Professional Development Points: 10 PDP" in page  # 2024's one alone: 0

    awarded(member, "Micro 3", AWARDED + timedelta(days=30))
    assert unit_rules.microcredentials_earned(member, 2025) == 4
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert "<strong>20 PDP" in page
    assert "Total Professional Development Points: 20 PDP" in page
    assert "<strong>6 CEU" in page  # the national rule converts their 60 credit hours


def test_the_year_of_an_award_is_its_utc_day(ctx):
    member = factories.person("rosa@example.org", state="MA")
    awarded(member, "New year's eve", datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    awarded(member, "New year", datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    assert awards.awarded_by_year(member.id) == {2025: 1, 2026: 1}
    years = {y.year: len(y.entries) for y in transcript_for(member).years}
    assert years == {2025: 1, 2026: 1}


# ---------------------------------------------------------------------------- badge


def test_the_badge_verifies_and_a_revoked_one_is_refused(client, actions):
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    stack = factories.stack()
    microcredential = factories.microcredential(
        "Food Allergy Awareness", stack=stack, stack_position=1, components=2, criteria=2
    )
    attempt = award_of(member, microcredential, AWARDED)
    certificate = certificate_of(attempt)
    actions.sign_in(member.email)
    response = client.get(f"/microcredentials/attempts/{attempt.id}/badge.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert f"badge-{certificate.code}.json" in response.headers["Content-Disposition"]
    badge = response.get_json()
    subject = badge["credential"]["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == "Food Allergy Awareness"
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["description"] == "The ESP demonstrates: food allergy awareness."
    assert achievement["fieldOfStudy"] == "ESP Professional Growth Continuum"
    narrative = achievement["criteria"]["narrative"]
    assert "Component 1: Criterion 1.1" in narrative and "Component 2: Criterion 2.2" in narrative
    assert subject["creditsEarned"] == 15.0
    assert (
        badge["credential"]["evidence"][0]["id"] == f"http://verify.test/verify/{certificate.code}"
    )
    page = check(client, json.dumps(badge))
    assert "This badge is genuine and valid." in page and "Failed:" not in page

    image = client.get(f"/microcredentials/attempts/{attempt.id}/badge.svg")
    assert (
        image.mimetype == "image/svg+xml" and "attachment" in image.headers["Content-Disposition"]
    )
    assert unbake(image.get_data(as_text=True)) is not None
    assert "genuine and valid" in check(client, upload=image.data)

    certificate.revoked_at = AWARDED + timedelta(days=1)
    certificate.revoked_reason = "Evidence was copied"
    db.session.commit()
    page = check(client, json.dumps(badge))
    assert "Failed:</strong> The registry&#39;s status list marks it revoked" in page
    assert "genuine" not in page


def test_award_page_queries_do_not_grow_with_the_rubric(client, actions):
    member = factories.person("rosa@example.org")
    small = awarded(member, "Small", hours="15")
    big = award_of(member, factories.microcredential("Big", components=6, criteria=5), AWARDED)
    actions.sign_in(member.email)
    assert queries_for(client, f"/microcredentials/attempts/{small.id}/award") == queries_for(
        client, f"/microcredentials/attempts/{big.id}/award"
    )


def test_awarded_attempts_have_a_time_and_status(ctx):
    member = factories.person("rosa@example.org")
    attempt = awarded(member)
    db.session.expire_all()
    assert attempt.status == AttemptStatus.AWARDED and attempt.awarded_at == AWARDED


def test_certificate_and_verify_page_read_in_spanish(client, actions):
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    attempt = awarded(member)
    microcredential = attempt.microcredential
    microcredential.name_es = "Apoyos para la conducta positiva"
    microcredential.competency_es = "El ESP refuerza las expectativas de conducta."
    db.session.commit()
    certificate = certificate_of(attempt)
    page = text_of(client.get(f"/verify/{certificate.code}?lang=es").get_data(as_text=True))
    assert "Esta es una microcredencial válida." in page
    assert "<dt>Microcredencial</dt><dd>Apoyos para la conducta positiva</dd>" in page
    assert "<dt>Otorgada</dt><dd>20 de mayo de 2025</dd>" in page
    actions.sign_in(member.email)
    response = client.get(f"/microcredentials/attempts/{attempt.id}/certificate.pdf?lang=es")
    text = pdf_text(response.data)
    for expected in (
        "Microcredencial",
        "Apoyos para la conducta positiva",
        "El ESP refuerza las expectativas de conducta.",
        "otorgada el 20 de mayo de 2025, por 15 horas de crédito",
    ):
        assert expected in text, expected
