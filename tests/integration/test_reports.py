"""Reports (issue 14): exact numbers from a small hand-built world, the same numbers in the
CSV as on the page, an approver's scope on every report URL, and a fixed query count."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from html import escape

import pytest

from esp_registry.accounts.models import Role
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import OfferingStatus
from esp_registry.certificates.models import Certificate
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication, LftScore, LftStatus
from esp_registry.mentoring.models import ActivityType, MentoringLog
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.reports import queries
from tests import factories
from tests.conftest import Actions
from tests.integration.mentoring_world import mentee, mentor, paired
from tests.integration.test_lft_world import make_cycle
from tests.integration.test_query_counts import queries_for

CONFIRMED, CANCELLED = RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED
WAITLISTED = RegistrationStatus.WAITLISTED
PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def register(offering, member, status, *, waited=False, marks=()):  # type: ignore[no-untyped-def]
    """A registration with its attendance: marks are (session index, status, hours)."""
    registration = Registration(
        offering_id=offering.id,
        user_id=member.id,
        status=status,
        waitlisted_at=utcnow() - timedelta(days=50) if status == WAITLISTED else None,
        first_waitlisted_at=utcnow() - timedelta(days=50) if waited else None,
    )
    db.session.add(registration)
    db.session.flush()
    for index, mark, hours in marks:
        db.session.add(
            Attendance(
                registration_id=registration.id,
                session_id=offering.sessions[index].id,
                status=mark,
                credited_hours=Decimal(hours),
            )
        )
    db.session.commit()
    return registration


def build_world(extra_members: int = 0) -> dict:  # type: ignore[type-arg]
    past = dict(status=OfferingStatus.COMPLETED, host="OH")
    workshop = factories.offering(
        "Ohio Privatization Workshop",
        starts_in=timedelta(days=-40),
        sessions=2,
        hours="3",
        capacity=10,
        **past,
    )
    stepping = factories.offering(
        "Stepping Up Day",
        program="stepping-up-to-the-plate",
        starts_in=timedelta(days=-20),
        capacity=None,
        hours="5",
        **past,
    )
    texan = factories.offering(
        "Lone Star Only Training",
        starts_in=timedelta(days=-30),
        capacity=5,
        status=OfferingStatus.COMPLETED,
        host="TX",
    )
    future = factories.offering("Future Workshop", starts_in=timedelta(hours=1))
    p1 = factories.person("p1@example.org", name="Para One")
    p2 = factories.person("p2@example.org", name="Para Two")
    p3 = factories.person("p3@example.org", name="Para Three")
    f1 = factories.person("f1@example.org", name="Food One", job_family="food-services")
    t1 = factories.person("t1@example.org", name="Tex One", state="TX")
    t2 = factories.person("t2@example.org", name="Tex Two", state="TX")
    first = register(workshop, p1, CONFIRMED, marks=((0, PRESENT, "3"), (1, PRESENT, "3")))
    register(workshop, p2, CONFIRMED, marks=((0, ABSENT, "0"), (1, ABSENT, "0")))
    register(workshop, p3, CONFIRMED, waited=True, marks=((0, PRESENT, "3"), (1, ABSENT, "0")))
    register(workshop, f1, CANCELLED)
    texas = register(workshop, t1, CONFIRMED, marks=((0, PRESENT, "3"), (1, PRESENT, "3")))
    register(workshop, t2, WAITLISTED, waited=True)
    register(stepping, p1, CONFIRMED, marks=((0, PRESENT, "5"),))
    register(stepping, t1, CONFIRMED)  # no attendance taken for them at all: a no-show
    register(texan, t2, CONFIRMED, marks=((0, PRESENT, "5"),))
    register(future, p2, CONFIRMED)
    issued = utcnow() - timedelta(days=35)
    newer = Certificate(registration_id=first.id, code="C-NEW", member_name="Para One", hours=6)
    db.session.add(newer)
    db.session.flush()
    db.session.add_all(
        [
            Certificate(  # replaced by a reissue: counted once
                registration_id=first.id,
                code="C-OLD",
                member_name="Para 1",
                hours=6,
                issued_at=issued,
                replaced_by_id=newer.id,
            ),
            Certificate(registration_id=texas.id, code="C-TX", member_name="Tex", hours=6),
        ]
    )
    newer.issued_at = issued
    db.session.commit()
    for member in factories.bulk_people("more", extra_members):
        register(workshop, member, CONFIRMED, marks=((0, PRESENT, "3"),))
    factories.person("admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),))
    factories.person(
        "approver.oh@example.org", name="OH Approver", roles=((Role.AFFILIATE_APPROVER, "OH"),)
    )
    build_lft_world()
    return {"workshop": workshop, "stepping": stepping, "texan": texan}


def build_lft_world() -> None:
    """Ohio: a draft, a submitted one, an endorsed-and-scored one, a selected, an alternate,
    a confirmed and a withdrawn one; Texas: an endorsed (not scored) and a confirmed one."""
    cycle = make_cycle(utcnow().year, around=utcnow())
    reviewer = factories.person(
        "reviewer@example.org", name="Rita Reviewer", roles=((Role.REVIEWER, None),)
    )
    S = LftStatus
    plan = [
        ("OH", S.DRAFT, False),
        ("OH", S.SUBMITTED, False),
        ("OH", S.ENDORSED, True),
        ("OH", S.SELECTED, True),
        ("OH", S.ALTERNATE, True),
        ("OH", S.ACCEPTED, True),
        ("OH", S.WITHDRAWN, False),
        ("TX", S.ENDORSED, False),
        ("TX", S.ACCEPTED, True),
    ]
    for n, (state, status, scored) in enumerate(plan):
        person = factories.person(f"lft{n}@example.org", name=f"Applicant {n}", state=state)
        application = LftApplication(
            cycle_id=cycle.id,
            user_id=person.id,
            affiliate_id=person.affiliate_id,
            job_family_id=person.job_family_id,
            status=status,
            submitted_at=None if status == S.DRAFT else utcnow(),
            alternate_rank=1 if status == S.ALTERNATE else None,
        )
        db.session.add(application)
        db.session.flush()
        if scored:
            db.session.add(
                LftScore(
                    application_id=application.id,
                    reviewer_id=reviewer.id,
                    criterion_id=cycle.criteria[0].id,
                    score=4,
                )
            )
    db.session.commit()


def everyone(year: int | None = None) -> queries.Filters:
    this = utcnow().year
    return queries.Filters(scope=None, year_from=year or this - 1, year_to=year or this)


def rows_by_label(rows):  # type: ignore[no-untyped-def]
    return {row.label: row for row in rows}


# ---------------------------------------------------------------------------- numbers


def test_participation_by_job_family_and_affiliate_counts_exactly(ctx):
    build_world()
    families = rows_by_label(queries.participation_by(everyone(), "job_family"))
    paras = families["Paraeducators"]
    # Registered: 5 in the workshop (the waitlisted one too), 2 on Stepping Up, 1 in Texas,
    # 1 in the future; attended: 3 + 1 + 1; hours 6 + 3 + 6 + 5 + 5.
    assert (paras.registrations, paras.attendees, paras.hours) == (9, 5, Decimal("25.00"))
    food = families["Food Services"]  # cancelled: no registration, no hours
    assert (food.registrations, food.attendees, food.hours) == (0, 0, Decimal("0.00"))
    affiliates = rows_by_label(queries.participation_by(everyone(), "affiliate"))
    assert (affiliates["Ohio"].registrations, affiliates["Ohio"].attendees) == (5, 3)
    assert affiliates["Ohio"].hours == Decimal("14.00")
    assert (affiliates["Texas"].registrations, affiliates["Texas"].attendees) == (4, 2)
    ohio = factories.affiliate("OH").id
    scoped = queries.Filters(
        scope=frozenset({ohio}), year_from=everyone().year_from, year_to=everyone().year_to
    )
    assert set(rows_by_label(queries.participation_by(scoped, "affiliate"))) == {"Ohio"}
    ohio_paras = rows_by_label(queries.participation_by(scoped, "job_family"))["Paraeducators"]
    assert (ohio_paras.registrations, ohio_paras.attendees) == (5, 3)
    periods = queries.participation_by(everyone(), "period")
    assert sum(p.registrations for p in periods) == 9


def test_attendance_no_shows_waitlist_and_fill_rate(ctx):
    build_world()
    programs = rows_by_label(queries.attendance_by(everyone(), "program"))
    beat = programs["Beat Privatization: A Step-by-Step Crisis Action Plan"]
    # The Ohio workshop and the Texas training (same program); the future one has not ended.
    assert (beat.confirmed, beat.attended, beat.no_shows) == (5, 4, 1)
    assert (beat.waited, beat.promoted, beat.never_seated, beat.cancelled) == (2, 1, 1, 1)
    assert (beat.seats_taken, beat.capacity) == (5, 15)
    assert beat.no_show_rate == pytest.approx(0.2)
    assert beat.fill_rate == pytest.approx(5 / 15)
    step = programs["Stepping Up to the Plate: A Training Guide for Emerging Leaders"]
    assert (step.confirmed, step.attended, step.no_shows, step.fill_rate) == (2, 1, 1, None)
    offerings = rows_by_label(queries.attendance_by(everyone(), "offering"))
    assert "Future Workshop" not in offerings
    workshop = offerings["Ohio Privatization Workshop"]
    assert (workshop.confirmed, workshop.no_shows, workshop.capacity) == (4, 1, 10)
    assert workshop.attendance_rate == pytest.approx(0.75)


def test_certificates_per_month_and_busiest_trainings(ctx):
    build_world()
    months = queries.certificates_by_month(everyone())
    assert sum(m.count for m in months) == 2  # the replaced certificate is not counted again
    assert sum(m.hours for m in months) == Decimal("12.00")
    ohio = queries.Filters(
        scope=frozenset({factories.affiliate("OH").id}),
        year_from=everyone().year_from,
        year_to=everyone().year_to,
    )
    assert sum(m.count for m in queries.certificates_by_month(ohio)) == 1
    busiest = queries.busiest_trainings(everyone())
    # Most attendees first; a tie (1 attendee, 5 hours each) in the order they were added.
    assert [(b.label, b.count, b.hours) for b in busiest] == [
        ("Ohio Privatization Workshop", 3, Decimal("15.00")),
        ("Stepping Up Day", 1, Decimal("5.00")),
        ("Lone Star Only Training", 1, Decimal("5.00")),
        ("Future Workshop", 0, Decimal("0.00")),
    ]
    assert "Lone Star Only Training" not in [b.label for b in queries.busiest_trainings(ohio)]


def test_lft_pipeline_counts_each_stage_and_its_conversion(ctx):
    build_world()
    (cycle,) = queries.lft_pipeline(everyone(), by_affiliate=False)
    stages = [getattr(cycle, s) for s in queries.STAGES]
    assert stages == [9, 8, 6, 5, 3, 1, 2]
    assert cycle.conversion("endorsed") == pytest.approx(6 / 8)
    assert cycle.conversion("confirmed") == pytest.approx(2 / 3)
    by_affiliate = rows_by_label(queries.lft_pipeline(everyone(), by_affiliate=True))
    ohio = by_affiliate["Ohio"]
    assert [getattr(ohio, s) for s in queries.STAGES] == [7, 6, 4, 4, 2, 1, 1]
    assert ohio.conversion("scored") == 1
    texas = by_affiliate["Texas"]
    assert [getattr(texas, s) for s in queries.STAGES] == [2, 2, 2, 1, 1, 0, 1]


# ---------------------------------------------------------------------------- pages and CSV


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_the_numbers_of_the_page(client):
    build_world()
    Actions(client).sign_in("admin@example.org")
    page = client.get("/reports/participation").get_data(as_text=True)
    rows = read_csv(client.get("/reports/participation/job_family.csv"))
    assert rows and set(rows[0]) == {
        "job_family_id",
        "job_family",
        "registrations",
        "attendees",
        "credited_hours",
    }
    for row in rows:
        cells = "".join(
            f"<td>{row[k]}</td>" for k in ("registrations", "attendees", "credited_hours")
        )
        assert f'<th scope="row">{escape(row["job_family"])}</th>{cells}' in page
    attendance = client.get("/reports/attendance").get_data(as_text=True)
    for row in read_csv(client.get("/reports/attendance/program.csv")):
        assert f'<th scope="row">{escape(row["program"])}</th><td>{row["confirmed"]}</td>' in (
            attendance
        )
    registrations = read_csv(client.get("/reports/registrations.csv"))
    assert len(registrations) == 10
    mine = [r for r in registrations if r["offering"] == "Ohio Privatization Workshop"]
    assert sorted(r["credited_hours"] for r in mine) == [
        "0.00",
        "0.00",
        "0.00",
        "3.00",
        "6.00",
        "6.00",
    ]


def test_filters_narrow_the_numbers(client):
    build_world()
    Actions(client).sign_in("admin@example.org")
    family = factories.family("food-services").id
    rows = read_csv(client.get(f"/reports/participation/affiliate.csv?job_family={family}"))
    assert [(r["affiliate"], r["registrations"]) for r in rows] == [("Ohio", "0")]
    assert client.get("/reports/participation?year_from=2030&year_to=2001").status_code == 422
    assert client.get("/reports/participation?year_from=1999").status_code == 422
    refused = client.get("/reports/participation?year_from=1999", headers={"HX-Request": "true"})
    assert refused.status_code == 200  # htmx swaps only a success: the errors are shown
    assert "Enter a year between 2000 and 2100." in refused.get_data(as_text=True)
    partial = client.get("/reports/participation", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert "Paraeducators" in partial.get_data(as_text=True)


REPORT_URLS = [
    "/reports",
    "/reports/participation",
    "/reports/attendance",
    "/reports/certificates",
    "/reports/certificates/month.csv",
    "/reports/certificates/busiest.csv",
    "/reports/lft",
    "/reports/lft/cycle.csv",
    "/reports/lft/affiliate.csv",
    *(f"/reports/participation/{t}.csv" for t in queries.PARTICIPATION_TABLES),
    *(f"/reports/attendance/{t}.csv" for t in queries.ATTENDANCE_TABLES),
    "/reports/registrations.csv",
]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_an_approver_sees_only_their_affiliate(client, url):
    build_world()
    Actions(client).sign_in("approver.oh@example.org")
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for other in ("Texas", "Lone Star Only Training", ",TX,"):
        assert other not in text
    texas, ohio = factories.affiliate("TX").id, factories.affiliate("OH").id
    joiner = "&" if "?" in url else "?"
    assert client.get(f"{url}{joiner}affiliate={texas}").status_code == 404
    assert client.get(f"{url}{joiner}affiliate={ohio}").status_code == 200
    if url.endswith("registrations.csv"):
        rows = read_csv(page)
        assert rows and {r["affiliate"] for r in rows} == {"OH"}


def test_members_and_facilitators_get_404(client):
    build_world()
    Actions(client).sign_in("p1@example.org")
    assert client.get("/reports/participation").status_code == 404
    assert client.get("/reports/registrations.csv").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/reports/participation",
        "/reports/attendance",
        "/reports/certificates",
        "/reports/lft",
        "/reports/registrations.csv",
    ],
)
def test_report_queries_do_not_grow_with_members(client, url):
    build_world()
    Actions(client).sign_in("admin@example.org")
    few = queries_for(client, url)
    factories.bulk_people("late", 0)
    for member in factories.bulk_people("many", 40):
        register(factories.offering("Another", starts_in=timedelta(days=-10)), member, CONFIRMED)
    assert queries_for(client, url) == few


# ---------------------------------------------------------------------------- mentoring


def build_mentoring_world() -> None:
    ohio = paired("m1@example.org", "e1@example.org", state="OH")
    mentor("m2@example.org", name="Second Mentor", state="OH", capacity=2)
    mentee("e2@example.org", name="Waiting Mentee", state="OH")
    paired("m3@example.org", "e3@example.org", state="TX")
    mentee("e4@example.org", name="Waiting Texan", state="TX")
    db.session.add(
        MentoringLog(
            pairing_id=ohio.id,
            user_id=ohio.mentor_id,
            activity=ActivityType.COACHING,
            on_date=utcnow().date(),
            hours=Decimal("2.5"),
        )
    )
    db.session.commit()
    factories.person("admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),))


def test_mentoring_supply_demand_and_hours(ctx):
    build_mentoring_world()
    affiliates = rows_by_label(queries.mentoring_by(everyone(), "affiliate"))
    ohio = affiliates["Ohio"]
    # m1 has one of two places taken, m2 both free; one request waits; one pairing runs.
    assert (ohio.mentors_available, ohio.open_places, ohio.requests_waiting) == (2, 3, 1)
    assert (ohio.active_pairings, ohio.matched, ohio.completed) == (1, 1, 0)
    assert ohio.days_to_match is not None and 0 <= ohio.days_to_match < 1
    texas = affiliates["Texas"]
    assert (texas.mentors_available, texas.requests_waiting, texas.active_pairings) == (1, 1, 1)
    families = rows_by_label(queries.mentoring_by(everyone(), "job_family"))
    assert families["Paraeducators"].requests_waiting == 2
    (coaching,) = queries.mentoring_hours_by_activity(everyone())
    assert (coaching.key, coaching.logs, coaching.hours) == ("coaching", 1, Decimal("2.50"))


MENTORING_URLS = [
    "/reports/mentoring",
    "/reports/mentoring/affiliate.csv",
    "/reports/mentoring/job_family.csv",
    "/reports/mentoring/activity.csv",
]


@pytest.mark.parametrize("url", MENTORING_URLS)
def test_an_approver_sees_only_their_affiliates_mentoring(client, url):
    build_mentoring_world()
    Actions(client).sign_in("approver.oh@example.org")
    page = client.get(url)
    assert page.status_code == 200
    assert "Texas" not in page.get_data(as_text=True)
    if url.endswith("job_family.csv"):
        (row,) = read_csv(page)
        assert (row["job_family"], row["requests_waiting"]) == ("Paraeducators", "1")
    texas = factories.affiliate("TX").id
    assert client.get(f"{url}?affiliate={texas}").status_code == 404
    if url.endswith(("mentoring", "affiliate.csv")):  # the admin does see Texas there
        Actions(client).sign_out()
        Actions(client).sign_in("admin@example.org")
        assert "Texas" in client.get(f"{url}?affiliate={texas}").get_data(as_text=True)


def test_the_one_statement_tables_equal_the_one_table_queries(ctx):
    build_world()
    for filters in (everyone(), everyone(utcnow().year)):
        together = queries.participation_tables(filters)
        for name in queries.PARTICIPATION_TABLES:
            assert together[name] == queries.participation_by(filters, name), name


def test_the_one_statement_attendance_tables_equal_the_one_table_queries(ctx):
    build_world()
    together = queries.attendance_tables(everyone(), latest_offerings=2)
    assert together["offering"] == queries.attendance_by(everyone(), "offering", limit=2)
    assert [r.label for r in together["offering"]] == ["Stepping Up Day", "Lone Star Only Training"]
    for name in ("program", "affiliate"):
        assert together[name] == queries.attendance_by(everyone(), name), name
