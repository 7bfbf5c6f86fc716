"""The member's transcript: page, PDF with its own verification code, verify page."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.accounts.models import Role, User
from esp_registry.attendance import rules as attendance_rules
from esp_registry.attendance.models import AttendanceStatus
from esp_registry.catalog.models import Offering
from esp_registry.certificates.models import TranscriptCode
from esp_registry.certificates.rules import CODE_LENGTH, display_code
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.integration.test_query_counts import queries_for


def training(
    member,
    facilitator,
    title: str,
    when: datetime,
    hours: str = "3",
    *,
    present=True,
    status=RegistrationStatus.CONFIRMED,
    host: str | None = "OH",
):  # type: ignore[no-untyped-def]
    offering = factories.offering(
        title, starts_in=timedelta(0), now=when, hours=hours, facilitators=(facilitator,), host=host
    )
    registration = Registration(user_id=member.id, offering_id=offering.id, status=status)
    db.session.add(registration)
    db.session.commit()
    if status == RegistrationStatus.CONFIRMED:
        session = offering.sessions[0]
        state = AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT
        attendance_rules.mark(session, registration, state, facilitator, now=session.starts_at)
    return offering


def history():  # type: ignore[no-untyped-def]
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    member = factories.person("rosa@example.org", name="Rosa Delgado", job_family="food-services")
    training(
        member, facilitator, "Crisis plan (Columbus)", datetime(2024, 3, 5, 15, tzinfo=UTC), "4.5"
    )
    training(member, facilitator, "Bargaining basics", datetime(2024, 10, 2, 15, tzinfo=UTC), "2")
    training(
        member,
        facilitator,
        "Safety on the bus",
        datetime(2025, 4, 9, 15, tzinfo=UTC),
        "6",
        host=None,
    )
    # Not completed: absent, or not confirmed.
    training(
        member, facilitator, "Skipped session", datetime(2025, 5, 9, 15, tzinfo=UTC), present=False
    )
    training(
        member,
        facilitator,
        "Cancelled one",
        datetime(2025, 6, 9, 15, tzinfo=UTC),
        status=RegistrationStatus.CANCELLED,
    )
    # Someone else's training.
    other = factories.person("other@example.org", name="Other Person")
    training(other, facilitator, "Not Rosa's", datetime(2025, 7, 9, 15, tzinfo=UTC))
    return member


def text_of(html: str) -> str:
    return " ".join(html.split())


def test_transcript_page_lists_completed_trainings_with_totals_per_year(client, actions):
    history()
    actions.sign_in("rosa@example.org")
    assert "/transcript" in client.get("/my-trainings").get_data(as_text=True)
    page = text_of(client.get("/transcript").get_data(as_text=True))
    for expected in (
        "Crisis plan (Columbus)",
        "Bargaining basics",
        "Safety on the bus",
        "Beat Privatization: A Step-by-Step Crisis Action Plan",
        "Ohio",
        "National",
        "Total for 2024</th><td><strong>6.5",
        "Total for 2025</th><td><strong>6",
        "Total contact hours: 12.5 in 3 trainings",
    ):
        assert expected in page, expected
    for absent in ("Skipped session", "Cancelled one", "Not Rosa&#39;s", "Not Rosa's"):
        assert absent not in page
    # Newest year first.
    assert page.index(">2025</h2>") < page.index(">2024</h2>")


def test_transcript_pdf_has_name_hours_and_its_own_code(client, actions):
    history()
    actions.sign_in("rosa@example.org")
    response = client.get("/transcript.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # portrait
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    code = db.session.scalar(sa.select(TranscriptCode))
    assert len(code.code) == CODE_LENGTH
    assert code.member_name == "Rosa Delgado" and code.trainings == 3
    assert code.total_hours == 12.5
    for expected in (
        "Rosa Delgado",
        "Ohio",
        "Food Services",
        "Crisis plan (Columbus)",
        "Total for 2024 6.5",
        "Total for 2025 6",
        "12.5",
        display_code(code.code),
        f"http://verify.test/verify/{code.code}",
    ):
        assert expected in text, expected
    assert "Skipped session" not in text
    # Another PDF of the same transcript carries the same code: no new row.
    again = client.get("/transcript.pdf")
    assert display_code(code.code) in pdf_text(again.data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TranscriptCode)) == 1


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def codes() -> list[TranscriptCode]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(TranscriptCode).order_by(TranscriptCode.id)))


def test_a_changed_transcript_gets_a_new_code_and_the_old_one_still_verifies(client, actions):
    member = history()
    actions.sign_in("rosa@example.org")
    first = client.get("/transcript.pdf")
    client.get("/transcript.pdf")
    [original] = codes()
    assert display_code(original.code) in pdf_text(first.data)

    # Hours changed: the facilitator credits 1 of the 2 hours of "Bargaining basics".
    facilitator = db.session.scalar(sa.select(User).where(User.email == "fac@example.org"))
    registration = db.session.scalar(
        sa.select(Registration)
        .join(Registration.offering)
        .where(Registration.user_id == member.id, Offering.title == "Bargaining basics")
    )
    session = registration.offering.sessions[0]
    assert attendance_rules.set_hours(
        session, registration, "1", facilitator, now=session.starts_at
    )
    changed = client.get("/transcript.pdf")
    assert [c.total_hours for c in codes()] == [Decimal("12.5"), Decimal("11.5")]
    newer = codes()[-1]
    assert display_code(newer.code) in pdf_text(changed.data)
    assert display_code(original.code) not in pdf_text(changed.data)
    client.get("/transcript.pdf")
    assert len(codes()) == 2  # and it stays with the new code

    # A new completed training, then a new name: a new code each time.
    training(member, facilitator, "Another one", datetime(2025, 9, 9, 15, tzinfo=UTC))
    client.get("/transcript.pdf")
    member.full_name = "Rosa Delgado Ruiz"
    db.session.commit()
    client.get("/transcript.pdf")
    assert [(c.member_name, c.trainings) for c in codes()] == [
        ("Rosa Delgado", 3),
        ("Rosa Delgado", 3),
        ("Rosa Delgado", 4),
        ("Rosa Delgado Ruiz", 4),
    ]
    assert len({c.code for c in codes()}) == 4

    # The first code still says what it verified.
    actions.sign_out()
    page = text_of(client.get(f"/verify/{original.code}").get_data(as_text=True))
    assert "valid transcript" in page and "Rosa Delgado" in page
    assert "12.5" in page and "<dd>3</dd>" in page


def test_verify_page_for_a_transcript_code_shows_no_email(client, actions):
    history()
    actions.sign_in("rosa@example.org")
    client.get("/transcript.pdf")
    actions.sign_out()
    code = db.session.scalar(sa.select(TranscriptCode.code))
    response = client.get(f"/verify/{display_code(code).lower()}")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "valid transcript" in page and "Rosa Delgado" in page
    assert "12.5" in page and "<dd>3</dd>" in page
    assert "rosa@example.org" not in page and "food-services" not in page


def test_anonymous_is_sent_to_sign_in(client):
    for url in ("/transcript", "/transcript.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TranscriptCode)) == 0


def test_empty_transcript(client, actions):
    factories.person("new@example.org")
    actions.sign_in("new@example.org")
    assert "will appear here" in client.get("/transcript").get_data(as_text=True)


def test_transcript_queries_do_not_grow_with_trainings(client, actions):
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    start = datetime(2023, 1, 10, 15, tzinfo=UTC)
    for i in range(2):
        training(member, facilitator, f"Workshop {i}", start + timedelta(days=40 * i), host="TX")
    actions.sign_in("rosa@example.org")
    few = queries_for(client, "/transcript")
    for i in range(2, 20):
        host = ("OH", "TX", None)[i % 3]
        training(member, facilitator, f"Workshop {i}", start + timedelta(days=40 * i), host=host)
    many = queries_for(client, "/transcript")
    assert many == few
    assert "20 trainings" in client.get("/transcript").get_data(as_text=True)


def test_transcript_pdf_queries_do_not_grow_with_trainings(client, actions):
    """The first PDF of a transcript (its code issued) and a repeat: the same few queries
    whether the member completed 2 trainings or 20."""
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    start = datetime(2023, 1, 10, 15, tzinfo=UTC)
    for i in range(2):
        training(member, facilitator, f"Workshop {i}", start + timedelta(days=40 * i), host="TX")
    actions.sign_in("rosa@example.org")
    few = queries_for(client, "/transcript.pdf"), queries_for(client, "/transcript.pdf")
    for i in range(2, 20):
        host = ("OH", "TX", None)[i % 3]
        training(member, facilitator, f"Workshop {i}", start + timedelta(days=40 * i), host=host)
    many = queries_for(client, "/transcript.pdf"), queries_for(client, "/transcript.pdf")
    assert many == few
    assert few[1] <= few[0] <= 13  # 13: awarded micro-credentials joined the transcript
    pdf = PdfReader(io.BytesIO(client.get("/transcript.pdf").data))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Workshop 19" in text and "20 trainings" in text
