"""Required and expiring trainings on both databases: Required for you, the reminders
(exactly once per threshold, in the member's language), the overdue list and its scope,
the admin pages, and query counts that do not grow with history."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering, OfferingStatus
from esp_registry.credit.required.models import (
    RenewalKind,
    RequiredTraining,
    RequiredTrainingReminder,
)
from esp_registry.credit.required.queries import required_for
from esp_registry.credit.required.reminders import send_due_reminders
from esp_registry.credit.required.rules import Standing, add_months
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.reference.models import Program
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.integration.test_query_counts import counted

FOOD = "getting-educated-food-services"
BUS = "beat-privatization"


def program(slug: str) -> Program:
    return db.session.scalar(sa.select(Program).where(Program.slug == slug))


def requirement(slug: str, family: str, *, months: int | None = None, hours: str | None = None,
                declared: datetime | None = None) -> RequiredTraining:  # fmt: skip
    made = RequiredTraining(
        program_id=program(slug).id,
        kind=RenewalKind.EXPIRY if months else RenewalKind.HOURS,
        valid_months=months,
        hours_per_year=Decimal(hours) if hours else None,
        job_families=[factories.family(family)],
        created_at=declared or datetime(2020, 1, 1, tzinfo=UTC),
    )
    db.session.add(made)
    db.session.commit()
    return made


def completed(
    user: User, slug: str, ended: datetime, hours: str = "3", title: str = ""
) -> Offering:
    """A training of the program that ended then, the member present with hours."""
    offering = factories.offering(
        title or f"{slug} {ended:%Y-%m-%d} {user.id}",
        program=slug,
        starts_in=ended - timedelta(hours=6) - datetime.now(UTC),
        hours=hours,
        status=OfferingStatus.COMPLETED,
    )
    registration = Registration(
        user_id=user.id, offering_id=offering.id, status=RegistrationStatus.CONFIRMED
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(
        Attendance(
            registration_id=registration.id,
            session_id=offering.sessions[0].id,
            status=AttendanceStatus.PRESENT,
            credited_hours=Decimal(hours),
        )
    )
    db.session.commit()
    return offering


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


# ---------------------------------------------------------------------------- Required for you


def test_required_for_you_shows_due_dates_and_the_next_offering(ctx, actions):
    cook = factories.person(
        "cook@example.org", name="Ana Cook", state="MA", job_family="food-services"
    )
    requirement(FOOD, "food-services", months=36)
    completed(cook, FOOD, datetime.now(UTC) - timedelta(days=365 * 3 - 40))
    nxt = factories.offering("Food safety next month", program=FOOD, starts_in=timedelta(days=30))
    factories.offering("Food safety in Texas", program=FOOD, starts_in=timedelta(days=5), host="TX")
    actions.sign_in("cook@example.org")
    page = actions.client.get("/my-trainings").get_data(as_text=True)
    assert "Required for you" in page
    assert page.index("Required for you") < page.index("Upcoming")
    assert "Due soon: your certificate is valid until" in page
    assert f'href="/offerings/{nxt.id}"' in page  # not the Texas one: another state hosts it


def test_no_offering_and_never_done(ctx, actions):
    factories.person("driver@example.org", state="TX", job_family="transportation-services")
    requirement(FOOD, "transportation-services", months=12)
    actions.sign_in("driver@example.org")
    page = actions.client.get("/my-trainings").get_data(as_text=True)
    assert "Not done yet: due now." in page and "No offering scheduled yet." in page


def test_statuses_of_a_member_with_hours_and_expiry(ctx):
    driver = factories.person("d@example.org", job_family="transportation-services")
    requirement(BUS, "transportation-services", hours="10")
    requirement(FOOD, "transportation-services", months=12)
    completed(driver, BUS, at(date(2026, 3, 3)), hours="4")
    completed(driver, BUS, at(date(2025, 3, 3)), hours="8")  # last year: not counted
    completed(driver, FOOD, at(date(2025, 11, 30)), hours="2")
    dues = {d.requirement.program_id: d.status for d in required_for(driver, NOW)}
    assert dues[program(BUS).id].standing is Standing.DUE_SOON
    assert dues[program(BUS).id].hours == Decimal(4)
    food = dues[program(FOOD).id]
    assert food.standing is Standing.OVERDUE and food.due_on == date(2026, 11, 30)
    # A renewal resets it.
    completed(driver, FOOD, at(date(2026, 12, 1)), hours="2")
    again = {d.requirement.program_id: d.status for d in required_for(driver, NOW)}
    assert again[program(FOOD).id].standing is Standing.MET


def test_my_trainings_query_count_does_not_grow_with_history(ctx, actions):
    member = factories.person("pat@example.org", job_family="food-services")
    requirement(FOOD, "food-services", months=36)
    requirement(BUS, "food-services", hours="5")
    actions.sign_in("pat@example.org")

    def queries() -> int:
        with counted() as statements:
            assert actions.client.get("/my-trainings").status_code == 200
        return len(statements)

    completed(member, FOOD, datetime.now(UTC) - timedelta(days=100))
    completed(member, BUS, datetime.now(UTC) - timedelta(days=2), hours="1")
    factories.offering("Upcoming", program=FOOD, starts_in=timedelta(days=9))
    few = queries()
    for n in range(6):
        completed(member, FOOD, datetime.now(UTC) - timedelta(days=200 + n))
        completed(member, BUS, datetime.now(UTC) - timedelta(days=3 + n), hours="1")
        factories.offering(f"Upcoming {n}", program=FOOD, starts_in=timedelta(days=10 + n))
    assert queries() <= few


# ---------------------------------------------------------------------------- reminders


def expiring_cook(email: str = "cook@example.org", language: str = "en") -> User:
    cook = factories.person(email, name="Ana Cook", state="MA", job_family="food-services")
    cook.preferred_language = language
    db.session.commit()
    completed(cook, FOOD, at(add_months(NOW.date() + timedelta(days=40), -36)))
    return cook


def reminders() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "required_training_reminder")
        )
    )


def test_a_reminder_is_sent_once_per_threshold(ctx):
    requirement(FOOD, "food-services", months=36)
    expiring_cook()
    factories.offering("Food safety soon", program=FOOD, starts_in=timedelta(days=20), now=NOW)
    assert send_due_reminders(NOW) == 1
    assert send_due_reminders(NOW) == 0
    assert send_due_reminders(NOW + timedelta(days=1)) == 0  # still the 60-day one
    [message] = reminders()
    assert message.to_email == "cook@example.org"
    assert "expires in 40 days" in message.body_text
    assert "Food safety soon" in message.body_text
    assert send_due_reminders(NOW + timedelta(days=26)) == 1  # 14 days left
    assert send_due_reminders(NOW + timedelta(days=27)) == 0
    assert len(reminders()) == 2
    assert db.session.scalar(sa.select(sa.func.count(RequiredTrainingReminder.id))) == 2


def test_a_renewal_gives_new_reminders_later(ctx):
    requirement(FOOD, "food-services", months=36)
    cook = expiring_cook()
    assert send_due_reminders(NOW) == 1
    completed(cook, FOOD, at(NOW.date() - timedelta(days=1)))
    assert send_due_reminders(NOW) == 0  # renewed: nothing due
    later = at(add_months(NOW.date() - timedelta(days=1), 36) - timedelta(days=30))
    assert send_due_reminders(later) == 1


def test_the_reminder_is_in_the_members_language(ctx):
    requirement(FOOD, "food-services", months=36)
    expiring_cook("ana@example.org", language="es")
    send_due_reminders(NOW)
    [message] = reminders()
    assert "Su certificado de" in message.body_text and "vence en 40 días" in message.body_text
    assert "su certificado vence el" in message.subject
    assert "Your certificate" not in message.body_text


def test_hours_reminders_go_to_members_short_before_the_year_ends(ctx):
    requirement(BUS, "transportation-services", hours="10")
    short = factories.person("short@example.org", job_family="transportation-services")
    done = factories.person("done@example.org", job_family="transportation-services")
    factories.person("other@example.org", job_family="paraeducators")
    completed(short, BUS, at(date(2026, 6, 1)), hours="4")
    completed(done, BUS, at(date(2026, 6, 1)), hours="10")
    assert send_due_reminders(datetime(2026, 10, 1, tzinfo=UTC)) == 0  # 91 days left
    assert send_due_reminders(NOW) == 1  # 24 days left: the 14-day one only
    [message] = reminders()
    assert message.to_email == "short@example.org" and "4 so far" in message.body_text


def test_two_workers_at_once_send_one_email(ctx):
    requirement(FOOD, "food-services", months=36)
    expiring_cook()
    app = ctx
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            sent.append(send_due_reminders(NOW))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == [0, 1] and len(reminders()) == 1


# ---------------------------------------------------------------------------- overdue list


def overdue_world() -> None:
    factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    factories.person("approver.oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    requirement(FOOD, "food-services", months=36)
    requirement(BUS, "transportation-services", hours="10")
    factories.person("never.oh@example.org", name="Nora Never", job_family="food-services")
    expired = factories.person(
        "expired.oh@example.org", name="Eve Expired", job_family="food-services"
    )
    completed(expired, FOOD, datetime.now(UTC) - timedelta(days=4 * 365))
    fine = factories.person("fine.oh@example.org", name="Fay Fine", job_family="food-services")
    completed(fine, FOOD, datetime.now(UTC) - timedelta(days=30))
    factories.person("bus.oh@example.org", name="Bo Bus", job_family="transportation-services")
    factories.person(
        "never.tx@example.org", name="Tex Never", state="TX", job_family="food-services"
    )


def test_approvers_see_their_states_overdue_members(ctx, actions):
    overdue_world()
    actions.sign_in("approver.oh@example.org")
    page = actions.client.get("/required-trainings/overdue").get_data(as_text=True)
    for name in ("Nora Never", "Eve Expired", "Bo Bus"):
        assert name in page
    assert "Fay Fine" not in page and "Tex Never" not in page
    assert "never done" in page and "certificate expired on" in page and "0 of 10 hours" in page
    texas = factories.affiliate("TX").id
    assert actions.client.get(f"/required-trainings/overdue?affiliate={texas}").status_code == 404
    assert (
        actions.client.get(f"/required-trainings/overdue.csv?affiliate={texas}").status_code == 404
    )
    found = actions.client.get("/required-trainings/overdue?q=EXPIRED").get_data(as_text=True)
    assert "Eve Expired" in found and "Nora Never" not in found
    bus = db.session.scalar(sa.select(RequiredTraining.id).where(RequiredTraining.kind == "hours"))
    only = actions.client.get(f"/required-trainings/overdue?requirement={bus}").get_data(
        as_text=True
    )
    assert "Bo Bus" in only and "Nora Never" not in only
    csv = actions.client.get("/required-trainings/overdue.csv")
    text = csv.get_data(as_text=True)
    assert (
        text.startswith("\ufeffmember,email") and "Eve Expired" in text and "Tex Never" not in text
    )
    # Not staff: no list.
    factories.person("pat@example.org")
    actions.sign_out()
    actions.sign_in("pat@example.org")
    assert actions.client.get("/required-trainings/overdue").status_code == 404
    assert actions.client.get("/required-trainings/admin").status_code == 404


def test_national_admins_pick_an_affiliate(ctx, actions):
    overdue_world()
    actions.sign_in("admin@example.org")
    everyone = actions.client.get("/required-trainings/overdue").get_data(as_text=True)
    assert "Tex Never" in everyone and "Nora Never" in everyone
    texas = factories.affiliate("TX").id
    one = actions.client.get(f"/required-trainings/overdue?affiliate={texas}").get_data(
        as_text=True
    )
    assert "Tex Never" in one and "Nora Never" not in one


def test_overdue_list_query_count_does_not_grow(ctx, actions):
    overdue_world()
    actions.sign_in("approver.oh@example.org")

    def queries() -> int:
        with counted() as statements:
            assert actions.client.get("/required-trainings/overdue").status_code == 200
        return len(statements)

    few = queries()
    for n in range(30):
        member = factories.person(
            f"more{n}@example.org", name=f"More {n}", job_family="food-services"
        )
        if n % 3 == 0:
            completed(member, FOOD, datetime.now(UTC) - timedelta(days=2000 + n))
    assert queries() <= few
    # 33 rows: two pages; "Show more" (htmx) answers with the next rows and the pager.
    first = actions.client.get("/required-trainings/overdue").get_data(as_text=True)
    assert "1\u201325 of 33" in first
    more = actions.client.get(
        "/required-trainings/overdue?page=2&from=1",
        headers={"HX-Request": "true", "HX-Target": "overdue-rows"},
    ).get_data(as_text=True)
    assert "<html" not in more and more.count("<li") == 8 and "1\u201333 of 33" in more


# ---------------------------------------------------------------------------- admin pages


def test_admins_add_edit_and_retire_a_requirement(ctx, actions):
    factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    actions.sign_in("admin@example.org")
    food = program(FOOD).id
    family = factories.family("food-services").id
    bad = actions.post(
        "/required-trainings/admin/new",
        {"program": food, "job_families": family, "kind": "expiry", "valid_months": "121"},
    )
    assert bad.status_code == 422 and "Enter a number from 1 to 120." in bad.get_data(as_text=True)
    assert not db.session.scalar(sa.select(sa.func.count(RequiredTraining.id)))
    none = actions.post(
        "/required-trainings/admin/new", {"program": food, "kind": "hours", "hours_per_year": "0.4"}
    )
    assert none.status_code == 422
    ok = actions.post(
        "/required-trainings/admin/new",
        {"program": food, "job_families": family, "kind": "expiry", "valid_months": "36"},
    )
    assert ok.status_code == 302
    twice = actions.post(
        "/required-trainings/admin/new",
        {"program": food, "job_families": family, "kind": "hours", "hours_per_year": "10"},
    )
    assert twice.status_code == 422 and "already has a current requirement" in twice.get_data(
        as_text=True
    )
    made = db.session.scalar(sa.select(RequiredTraining))
    edit = actions.post(
        f"/required-trainings/admin/{made.id}",
        {"program": food, "job_families": family, "kind": "hours", "hours_per_year": "12.5"},
    )
    assert edit.status_code == 302
    db.session.expire_all()
    made = db.session.get(RequiredTraining, made.id)
    assert made.kind == RenewalKind.HOURS and made.hours_per_year == Decimal("12.5")
    assert made.valid_months is None
    assert "Food Services" in actions.client.get("/required-trainings/admin").get_data(as_text=True)
    assert actions.post(f"/required-trainings/admin/{made.id}/retire").status_code == 302
    db.session.expire_all()
    assert db.session.get(RequiredTraining, made.id).retired_at is not None
    assert actions.client.get("/required-trainings/admin/999999").status_code == 404


def test_the_verification_page_says_valid_until(ctx, client):
    from esp_registry.certificates.rules import issue_certificate

    cook = factories.person("cook@example.org", job_family="food-services")
    requirement(FOOD, "food-services", months=12)
    offering = completed(cook, FOOD, datetime.now(UTC) - timedelta(days=400))
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.offering_id == offering.id)
    )
    certificate = issue_certificate(registration)
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Expired on" in page


def test_members_are_read_in_chunks(ctx, monkeypatch):
    """Candidates come in chunks (500 by default; 2 here): every one is reached once."""
    from esp_registry.credit.required import reminders as module

    monkeypatch.setattr(module, "CHUNK", 2)
    requirement(BUS, "transportation-services", hours="10")
    requirement(FOOD, "food-services", months=36)
    for n in range(5):
        factories.person(f"bus{n}@example.org", job_family="transportation-services")
        expiring_cook(f"cook{n}@example.org")
    assert send_due_reminders(NOW) == 10
    assert send_due_reminders(NOW) == 0
    assert len({m.to_email for m in reminders()}) == 10


def test_the_worker_task_sends_the_reminders_once(ctx):
    from esp_registry import worker

    requirement(FOOD, "food-services", months=36)
    cook = factories.person("cook@example.org", job_family="food-services")
    completed(cook, FOOD, datetime.now(UTC) - timedelta(days=365 * 3 - 30))
    assert worker.remind_required_trainings.call_local() == 1
    assert worker.remind_required_trainings.call_local() == 0
    assert "remind_required_trainings" in {
        t.__name__ for t in worker.huey._registry._periodic_tasks
    }


def test_a_completion_counts_once_its_required_evaluation_is_answered(ctx):
    """The certificate waits for a required evaluation, so the requirement does too (the
    status, the overdue list and the reminders read the same completions)."""
    from esp_registry.credit.evaluations import rules as evaluation_rules
    from esp_registry.credit.evaluations.models import QuestionKind

    admin = factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    cook = factories.person("ana@example.org", state="MA", job_family="food-services")
    requirement(FOOD, "food-services", months=36)
    refresher = completed(cook, FOOD, NOW - timedelta(days=10))
    evaluation = evaluation_rules.save_evaluation(
        refresher, evaluation_rules.default_questions(), True, admin
    ).subject
    status = required_for(cook, NOW)[0].status
    assert status.standing is Standing.NEVER_DONE

    registration = db.session.scalar(
        sa.select(Registration).where(Registration.offering_id == refresher.id)
    )
    ratings = {q.id: 4 for q in evaluation.questions if q.kind == QuestionKind.RATING}
    assert evaluation_rules.submit_answers(registration, evaluation, ratings, {}).ok
    status = required_for(cook, NOW)[0].status
    assert status.standing is Standing.MET
    assert status.due_on == (NOW - timedelta(days=10)).date().replace(year=2029)


def test_the_overdue_list_with_no_expiry_requirement_in_force(ctx, actions):
    """Only an hours-based requirement (the expiry ones retired): the list still opens."""
    factories.person("approver.oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    requirement(BUS, "transportation-services", hours="10")
    factories.person("bus.oh@example.org", name="Bo Bus", job_family="transportation-services")
    actions.sign_in("approver.oh@example.org")
    for url in ("/required-trainings/overdue", "/required-trainings/overdue.csv"):
        response = actions.client.get(url)
        assert response.status_code == 200
        assert "Bo Bus" in response.get_data(as_text=True)
