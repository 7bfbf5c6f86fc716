"""Offering management through HTTP: national admins manage any offering, affiliate
approvers the ones their affiliate hosts, members nothing (404)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esp_registry.accounts.models import Role, User
from esp_registry.catalog.models import Offering, OfferingStatus, Session
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.reference.models import Program
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.integration.test_query_counts import counted

CHICAGO = ZoneInfo("America/Chicago")


def admin() -> User:
    return factories.person(
        "admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )


def approver(state: str = "OH") -> User:
    return factories.person(
        f"approver.{state.lower()}@example.org",
        name=f"{state} Approver",
        state=state,
        roles=((Role.AFFILIATE_APPROVER, state),),
    )


def program_id(slug: str = "beat-privatization") -> int:
    return db.session.scalar(sa.select(Program.id).where(Program.slug == slug))


def in_days(days: int) -> date:
    return (utcnow() + timedelta(days=days)).date()


def offering_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "program_id": program_id(),
        "title": "Beat Privatization in Columbus",
        "description": "A one-day crisis action plan workshop.",
        "host_affiliate_id": "0",
        "format": "in_person",
        "venue": "Columbus Convention Center",
        "online_url": "",
        "timezone": "America/Chicago",
        "registration_opens": "",
        "registration_closes": "",
        "capacity": "20",
        "waitlist_enabled": "y",
        "promotion_mode": "confirm",
        "offer_hours": "",
        "parent_id": "0",
        "signatory": "ESP Quality Department",
    }
    data.update(changes)
    return data


def session_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Day 1",
        "day": in_days(40).isoformat(),
        "starts": "09:00",
        "ends": "15:30",
        "contact_hours": "6",
    }
    data.update(changes)
    return data


def counts() -> tuple[int, int]:
    db.session.expire_all()
    offerings = db.session.scalar(sa.select(sa.func.count()).select_from(Offering))
    sessions = db.session.scalar(sa.select(sa.func.count()).select_from(Session))
    return offerings, sessions


def fresh(offering_id: int) -> Offering:
    db.session.expire_all()
    return db.session.get(Offering, offering_id)


def created_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/manage/offerings/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


# --- the main path -----------------------------------------------------------------------


def test_admin_creates_offering_with_two_sessions_and_publishes_it(client, actions):
    admin()
    actions.sign_in("admin@example.org")
    assert "Manage trainings" in client.get("/").get_data(as_text=True)
    assert client.get("/manage/offerings/new").status_code == 200
    opens, closes = in_days(1), in_days(30)
    response = actions.post(
        "/manage/offerings/new",
        offering_form(
            registration_opens=f"{opens}T08:00",
            registration_closes=f"{closes}T17:00",
            audience_ids=[
                factories.family("paraeducators").id,
                factories.family("food-services").id,
            ],
        ),
    )
    offering_id = created_id(response)
    created = fresh(offering_id)
    assert created.status == OfferingStatus.DRAFT
    assert created.host_affiliate_id is None and created.capacity == 20
    # Typed in the offering's zone, stored as the UTC instant.
    assert created.registration_opens_at.tzinfo is not None
    assert created.registration_opens_at.astimezone(CHICAGO).replace(tzinfo=None) == datetime(
        opens.year, opens.month, opens.day, 8, 0
    )
    assert {f.slug for f in created.audience} == {"paraeducators", "food-services"}

    for day, title in ((40, "Day 1"), (41, "Day 2")):
        added = actions.post(
            f"/manage/offerings/{offering_id}/sessions",
            session_form(title=title, day=in_days(day).isoformat(), contact_hours="6.25"),
        )
        assert added.status_code == 302
    sessions = fresh(offering_id).sessions
    assert [s.title for s in sessions] == ["Day 1", "Day 2"]
    first = sessions[0].starts_at.astimezone(CHICAGO)
    assert (first.date(), first.hour, first.minute) == (in_days(40), 9, 0)
    assert str(sessions[0].contact_hours) == "6.25"

    assert "Beat Privatization in Columbus" not in client.get("/").get_data(as_text=True)
    published = actions.post(f"/manage/offerings/{offering_id}/publish")
    assert published.status_code == 302
    assert fresh(offering_id).status == OfferingStatus.PUBLISHED
    assert "Beat Privatization in Columbus" in client.get("/").get_data(as_text=True)
    listing = client.get("/manage").get_data(as_text=True)
    assert "Beat Privatization in Columbus" in listing and "Published" in listing


def test_edit_changes_details_and_a_new_zone_keeps_session_clock_times(client, actions):
    admin()
    offering = factories.offering(status=OfferingStatus.DRAFT, capacity=10)
    start_local = offering.sessions[0].starts_at.astimezone(ZoneInfo("America/New_York"))
    actions.sign_in("admin@example.org")
    form = client.get(f"/manage/offerings/{offering.id}/edit").get_data(as_text=True)
    assert 'value="Beat Privatization workshop"' in form
    response = actions.post(
        f"/manage/offerings/{offering.id}/edit",
        offering_form(title="Renamed", capacity="", timezone="America/Denver", format="hybrid"),
    )
    assert response.status_code == 302
    changed = fresh(offering.id)
    assert (changed.title, changed.capacity, changed.format.value) == ("Renamed", None, "hybrid")
    moved = changed.sessions[0].starts_at.astimezone(ZoneInfo("America/Denver"))
    assert (moved.date(), moved.hour, moved.minute) == (
        start_local.date(),
        start_local.hour,
        start_local.minute,
    )


def test_sessions_edit_and_remove_with_and_without_htmx(client, actions):
    admin()
    offering = factories.offering(status=OfferingStatus.DRAFT, sessions=2)
    first, second = offering.sessions
    actions.sign_in("admin@example.org")
    assert client.get(f"/manage/sessions/{first.id}/edit").status_code == 200
    edited = actions.post(
        f"/manage/sessions/{first.id}/edit",
        session_form(title="Opening day", day=in_days(50).isoformat(), contact_hours="2.5"),
    )
    assert edited.status_code == 302
    assert [s.title for s in fresh(offering.id).sessions] == ["Day 2", "Opening day"]

    htmx = {"HX-Request": "true"}
    added = actions.post(
        f"/manage/offerings/{offering.id}/sessions", session_form(title="Day 3"), headers=htmx
    )
    fragment = added.get_data(as_text=True)
    assert added.status_code == 200 and "<html" not in fragment
    assert 'id="sessions"' in fragment and "Session added" in fragment and "Day 3" in fragment
    refused = actions.post(
        f"/manage/offerings/{offering.id}/sessions",
        session_form(title="Bad", ends="08:00"),
        headers=htmx,
    )
    assert refused.status_code == 200 and "must end after it starts" in refused.get_data(
        as_text=True
    )

    removed = actions.post(f"/manage/sessions/{second.id}/remove", headers=htmx)
    assert removed.status_code == 200 and "removed" in removed.get_data(as_text=True)
    plain = actions.post(f"/manage/sessions/{first.id}/remove")
    assert plain.status_code == 302
    assert [s.title for s in fresh(offering.id).sessions] == ["Day 3"]


def test_last_session_of_a_published_offering_stays(client, actions):
    admin()
    offering = factories.offering()
    actions.sign_in("admin@example.org")
    response = actions.post(f"/manage/sessions/{offering.sessions[0].id}/remove")
    assert response.status_code == 422
    assert "at least one session" in page(response)
    assert counts() == (1, 1)


def test_facilitators_are_assigned_by_email_and_get_the_facilitator_role(client, actions):
    admin()
    trainer = factories.person("keisha@example.org", name="Keisha Grant")
    offering = factories.offering()
    actions.sign_in("admin@example.org")
    response = actions.post(
        f"/manage/offerings/{offering.id}/facilitators", {"email": " Keisha@Example.org "}
    )
    assert response.status_code == 302
    assert [f.id for f in fresh(offering.id).facilitators] == [trainer.id]
    db.session.refresh(trainer)
    assert [g.role.value for g in trainer.role_grants] == ["facilitator"]  # for the nav link
    assert client.get(f"/sessions/{offering.sessions[0].id}/roster").status_code == 200

    unknown = actions.post(
        f"/manage/offerings/{offering.id}/facilitators", {"email": "nobody@example.org"}
    )
    assert unknown.status_code == 422 and "No account uses this email" in page(unknown)
    again = actions.post(
        f"/manage/offerings/{offering.id}/facilitators",
        {"email": "keisha@example.org"},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 200 and "already facilitates" in page(again)

    removed = actions.post(f"/manage/offerings/{offering.id}/facilitators/{trainer.id}/remove")
    assert removed.status_code == 302
    assert fresh(offering.id).facilitators == []


def test_complete_only_after_the_last_session(client, actions):
    admin()
    upcoming = factories.offering("Upcoming")
    past = factories.offering("Past", starts_in=-timedelta(days=3))
    actions.sign_in("admin@example.org")
    early = actions.post(f"/manage/offerings/{upcoming.id}/complete")
    assert early.status_code == 422 and "after its last session has ended" in page(early)
    assert fresh(upcoming.id).status == OfferingStatus.PUBLISHED
    assert actions.post(f"/manage/offerings/{past.id}/complete").status_code == 302
    assert fresh(past.id).status == OfferingStatus.COMPLETED
    # Completed offerings are history: their details no longer change.
    edit = client.get(f"/manage/offerings/{past.id}/edit")
    assert edit.status_code == 302


def test_status_actions_through_htmx_answer_with_the_page(client, actions):
    admin()
    offering = factories.offering(status=OfferingStatus.DRAFT)
    empty = factories.offering("No sessions yet", status=OfferingStatus.DRAFT, sessions=0)
    actions.sign_in("admin@example.org")
    htmx = {"HX-Request": "true"}
    response = actions.post(f"/manage/offerings/{offering.id}/publish", headers=htmx)
    assert response.status_code == 200 and "Status: Published" in page(response)
    refused = actions.post(f"/manage/offerings/{empty.id}/publish", headers=htmx)
    assert refused.status_code == 200 and "Add at least one session" in page(refused)
    assert fresh(empty.id).status == OfferingStatus.DRAFT


def test_cancelling_cancels_registrations_and_tells_members(client, actions):
    staff = admin()
    offering = factories.offering()
    member = factories.person("pat@example.org")
    assert rules.register(member, offering).ok
    actions.sign_in("admin@example.org")
    response = actions.post(
        f"/manage/offerings/{offering.id}/cancel", {"reason": "The venue flooded."}
    )
    assert response.status_code == 302
    assert fresh(offering.id).status == OfferingStatus.CANCELLED
    registration = db.session.scalar(sa.select(Registration))
    assert registration.status == RegistrationStatus.CANCELLED
    assert registration.decided_by_id == staff.id
    kinds = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.user_id == member.id)
    ).all()
    assert "registration_cancelled" in kinds
    again = actions.post(f"/manage/offerings/{offering.id}/cancel", {"reason": ""})
    assert again.status_code == 422


def test_raising_capacity_promotes_from_the_waitlist(client, actions):
    admin()
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    first, second = (factories.person(f"{n}@example.org") for n in ("first", "second"))
    assert rules.register(first, offering).outcome == rules.Outcome.CONFIRMED
    assert rules.register(second, offering).outcome == rules.Outcome.WAITLISTED
    actions.sign_in("admin@example.org")
    response = actions.post(
        f"/manage/offerings/{offering.id}/edit",
        offering_form(capacity="2", timezone="America/New_York"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(Registration.user_id, Registration.status)).all())
    assert statuses == {
        first.id: RegistrationStatus.CONFIRMED,
        second.id: RegistrationStatus.CONFIRMED,
    }
    promoted = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.user_id == second.id)
    ).all()
    assert promoted.count("registration_promoted") == 1


# --- who may -----------------------------------------------------------------------------


def every_route(offering: Offering) -> list[tuple[str, str]]:
    session_id = offering.sessions[0].id
    base = f"/manage/offerings/{offering.id}"
    return [
        ("GET", base),
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("POST", f"{base}/sessions"),
        ("GET", f"/manage/sessions/{session_id}/edit"),
        ("POST", f"/manage/sessions/{session_id}/edit"),
        ("POST", f"/manage/sessions/{session_id}/remove"),
        ("POST", f"{base}/facilitators"),
        ("POST", f"{base}/facilitators/1/remove"),
        ("POST", f"{base}/publish"),
        ("POST", f"{base}/complete"),
        ("POST", f"{base}/cancel"),
    ]


def request(client, actions, method: str, url: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(url)
    return actions.post(url, data or {})


def test_approver_manages_own_affiliate_only(client, actions):
    approver("OH")
    ohio = factories.offering("Ohio workshop", host="OH", status=OfferingStatus.DRAFT)
    texas = factories.offering("Texas workshop", host="TX", status=OfferingStatus.DRAFT)
    national = factories.offering("National workshop", status=OfferingStatus.DRAFT)
    actions.sign_in("approver.oh@example.org")

    listing = client.get("/manage").get_data(as_text=True)
    assert "Ohio workshop" in listing
    assert "Texas workshop" not in listing and "National workshop" not in listing
    for method, url in every_route(ohio)[:2]:
        assert request(client, actions, method, url).status_code == 200, url
    ohio_id = factories.affiliate("OH").id
    edited = actions.post(
        f"/manage/offerings/{ohio.id}/edit",
        offering_form(title="Ohio workshop, renamed", host_affiliate_id=ohio_id),
    )
    assert edited.status_code == 302

    before = counts()
    for other in (texas, national):
        for method, url in every_route(other):
            data = offering_form() if url.endswith("/edit") else session_form()
            response = request(client, actions, method, url, data)
            assert response.status_code == 404, (method, url)
    db.session.expire_all()
    assert counts() == before
    assert fresh(texas.id).title == "Texas workshop" and fresh(texas.id).status == "draft"
    assert [s.title for s in fresh(national.id).sessions] == ["Day 1"]


def test_approver_creates_for_own_affiliate_only(client, actions):
    approver("OH")
    actions.sign_in("approver.oh@example.org")
    form = client.get("/manage/offerings/new").get_data(as_text=True)
    assert ">Ohio<" in form and ">Texas<" not in form and ">National<" not in form
    before = counts()
    for host in (factories.affiliate("TX").id, 0):
        response = actions.post("/manage/offerings/new", offering_form(host_affiliate_id=host))
        assert response.status_code == 422
        assert "only choose your own state affiliate" in page(response)
    assert counts() == before
    ohio = actions.post(
        "/manage/offerings/new", offering_form(host_affiliate_id=factories.affiliate("OH").id)
    )
    assert fresh(created_id(ohio)).host_affiliate.code == "OH"


def test_approver_cannot_move_an_offering_to_another_host(client, actions):
    approver("OH")
    ohio = factories.offering("Ohio workshop", host="OH")
    actions.sign_in("approver.oh@example.org")
    response = actions.post(
        f"/manage/offerings/{ohio.id}/edit",
        offering_form(host_affiliate_id=factories.affiliate("TX").id),
    )
    assert response.status_code == 422
    assert fresh(ohio.id).host_affiliate.code == "OH"


def test_members_and_facilitators_get_404(client, actions):
    offering = factories.offering(host="OH")
    factories.person("pat@example.org", state="OH")
    factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    for email in ("pat@example.org", "fac@example.org"):
        actions.sign_in(email)
        assert "Manage trainings" not in client.get("/").get_data(as_text=True)
        assert client.get("/manage").status_code == 404
        assert client.get("/manage/offerings/new").status_code == 404
        assert actions.post("/manage/offerings/new", offering_form()).status_code == 404
        for method, url in every_route(offering):
            assert request(client, actions, method, url).status_code == 404, (email, url)
        actions.sign_out()
    assert counts() == (1, 1)


def test_visitors_are_sent_to_sign_in(client):
    offering = factories.offering()
    for url in ("/manage", "/manage/offerings/new", f"/manage/offerings/{offering.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_posts_without_csrf_token_are_refused(client, actions):
    admin()
    offering = factories.offering(status=OfferingStatus.DRAFT)
    actions.sign_in("admin@example.org")
    assert client.post(f"/manage/offerings/{offering.id}/publish").status_code == 400
    assert client.post("/manage/offerings/new", data=offering_form()).status_code == 400
    assert fresh(offering.id).status == OfferingStatus.DRAFT


# --- validation: 422, a message next to the field, nothing stored ----------------------


def assert_refused(response, message: str, before: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    text = page(response)
    assert response.status_code == 422, text
    assert message in text, message
    assert 'aria-invalid="true"' in text or 'class="flash error"' in text
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"registration_opens": "2031-05-02T09:00", "registration_closes": "2031-05-01T09:00"},
            "Registration must open before it closes.",
        ),
        ({"promotion_mode": "offer", "offer_hours": ""}, "for how many hours a freed seat"),
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"timezone": "Europe/Paris"}, "Choose a time zone from the list."),
        ({"capacity": "-3"}, "Enter a number from 1 to 100,000."),
        ({"capacity": "lots"}, "leave it blank for unlimited"),
        ({"title": ""}, "Enter a title."),
        ({"program_id": "0"}, "Choose a program."),
        ({"online_url": "javascript:alert(1)"}, "starting with https://"),
        ({"registration_opens": "0001-01-01T00:00"}, "between 2000 and 2100"),
        ({"parent_id": "999999"}, "Choose a conference from the list."),
        ({"host_affiliate_id": "99999"}, "Choose a host from the list."),
    ],
)
def test_new_offering_rules(client, actions, changes, message):
    admin()
    actions.sign_in("admin@example.org")
    before = counts()
    assert_refused(actions.post("/manage/offerings/new", offering_form(**changes)), message, before)


def test_capacity_cannot_drop_below_seats_taken(client, actions):
    admin()
    offering = factories.offering(capacity=5, waitlist_enabled=True)
    now = utcnow()
    for i in range(3):
        db.session.add(
            Registration(
                offering_id=offering.id,
                user_id=factories.person(f"c{i}@example.org").id,
                status=RegistrationStatus.CONFIRMED,
            )
        )
    db.session.add(
        Registration(
            offering_id=offering.id,
            user_id=factories.person("offered@example.org").id,
            status=RegistrationStatus.WAITLISTED,
            waitlisted_at=now,
            offer_expires_at=now + timedelta(hours=24),
        )
    )
    db.session.commit()
    actions.sign_in("admin@example.org")
    before = counts()
    form = offering_form(capacity="3", timezone="America/New_York")
    assert_refused(
        actions.post(f"/manage/offerings/{offering.id}/edit", form),
        "4 seats are already taken",
        before,
    )
    assert fresh(offering.id).capacity == 5
    ok = actions.post(f"/manage/offerings/{offering.id}/edit", {**form, "capacity": "4"})
    assert ok.status_code == 302 and fresh(offering.id).capacity == 4


def test_window_must_close_by_the_first_session(client, actions):
    admin()
    offering = factories.offering(status=OfferingStatus.DRAFT, starts_in=timedelta(days=20))
    start = offering.sessions[0].starts_at.astimezone(ZoneInfo("America/New_York"))
    actions.sign_in("admin@example.org")
    before = counts()
    late = (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = actions.post(
        f"/manage/offerings/{offering.id}/edit",
        offering_form(timezone="America/New_York", registration_closes=late, title="Changed"),
    )
    assert_refused(response, "Registration must close by the time the first session starts", before)
    opens_late = actions.post(
        f"/manage/offerings/{offering.id}/edit",
        offering_form(timezone="America/New_York", registration_opens=late),
    )
    assert_refused(opens_late, "Registration must open before the first session starts", before)
    assert fresh(offering.id).title == "Beat Privatization workshop"
    on_time = start.strftime("%Y-%m-%dT%H:%M")
    assert (
        actions.post(
            f"/manage/offerings/{offering.id}/edit",
            offering_form(timezone="America/New_York", registration_closes=on_time),
        ).status_code
        == 302
    )
    # A new session before registration closes breaks the same rule.
    early = (start - timedelta(days=2)).date().isoformat()
    assert_refused(
        actions.post(f"/manage/offerings/{offering.id}/sessions", session_form(day=early)),
        "start before registration closes",
        counts(),
    )


def test_parent_must_be_a_conference_that_is_not_a_child(client, actions):
    admin()
    conference = factories.offering("Conference", program="esp-national-conference")
    child = factories.offering("Pre-conference", parent_id=conference.id)
    actions.sign_in("admin@example.org")
    before = counts()
    itself = actions.post(
        f"/manage/offerings/{conference.id}/edit",
        offering_form(program_id=program_id("esp-national-conference"), parent_id=conference.id),
    )
    assert_refused(itself, "cannot be its own parent conference", before)
    grandchild = actions.post("/manage/offerings/new", offering_form(parent_id=child.id))
    assert_refused(grandchild, "itself a pre-conference session", before)
    not_conference = factories.offering("Just a workshop")
    before = counts()
    assert_refused(
        actions.post("/manage/offerings/new", offering_form(parent_id=not_conference.id)),
        "Choose a conference from the list.",
        before,
    )
    good = actions.post("/manage/offerings/new", offering_form(parent_id=conference.id))
    assert fresh(created_id(good)).parent_id == conference.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends": "08:59"}, "must end after it starts"),
        ({"ends": "09:00"}, "must end after it starts"),
        ({"contact_hours": "24.25"}, "between 0 and 24"),
        ({"contact_hours": "-1"}, "between 0 and 24"),
        ({"contact_hours": "NaN"}, "Enter a number of hours, e.g. 6 or 2.5."),
        ({"contact_hours": "Infinity"}, "Enter a number of hours, e.g. 6 or 2.5."),
        ({"contact_hours": "2.1"}, "steps of 0.25"),
        ({"contact_hours": "six"}, "Enter a number of hours"),
        ({"day": "tomorrow"}, "Enter a date"),
        ({"day": "0001-01-01"}, "between 2000 and 2100"),
        ({"starts": "25:00"}, "Enter a time"),
        ({"title": ""}, "Enter a session title."),
    ],
)
def test_session_rules(client, actions, changes, message):
    admin()
    offering = factories.offering(status=OfferingStatus.DRAFT)
    actions.sign_in("admin@example.org")
    before = counts()
    response = actions.post(f"/manage/offerings/{offering.id}/sessions", session_form(**changes))
    assert_refused(response, message, before)
    edit = actions.post(f"/manage/sessions/{offering.sessions[0].id}/edit", session_form(**changes))
    assert_refused(edit, message, before)


def test_publish_needs_a_session(client, actions):
    admin()
    offering = factories.offering(status=OfferingStatus.DRAFT, sessions=0)
    actions.sign_in("admin@example.org")
    response = actions.post(f"/manage/offerings/{offering.id}/publish")
    assert_refused(response, "Add at least one session before publishing.", (1, 0))
    assert fresh(offering.id).status == OfferingStatus.DRAFT


# --- no input gives a 500 or half a change ----------------------------------------------

OFFERING_FIELDS = [
    "program_id",
    "title",
    "description",
    "host_affiliate_id",
    "format",
    "venue",
    "online_url",
    "timezone",
    "registration_opens",
    "registration_closes",
    "capacity",
    "waitlist_enabled",
    "promotion_mode",
    "offer_hours",
    "audience_ids",
    "requires_affiliate_approval",
    "parent_id",
    "signatory",
]


def signed_in_as_admin(actions) -> bool:  # type: ignore[no-untyped-def]
    """Sign the admin in once per test (hypothesis runs many examples in one database)."""
    if db.session.scalar(sa.select(User).where(User.email == "admin@example.org")):
        return False
    admin()
    actions.sign_in("admin@example.org")
    return True


field_values = st.one_of(
    st.text(max_size=300),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just(""),
    st.sampled_from(
        [
            "2031-01-01T09:00",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "America/Chicago",
            "offer",
            "virtual",
            "NaN",
            "1e999",
        ]
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=st.dictionaries(st.sampled_from(OFFERING_FIELDS), field_values))
def test_offering_form_fuzz(client, actions, fields):
    signed_in_as_admin(actions)
    before = counts()
    response = actions.post("/manage/offerings/new", offering_form(**fields))
    if any("\x00" in str(value) for value in fields.values()):
        assert response.status_code == 400
    assert response.status_code in (302, 400, 422)
    after = counts()
    assert after == ((before[0] + 1, before[1]) if response.status_code == 302 else before)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(
        st.sampled_from(["title", "day", "starts", "ends", "contact_hours"]), field_values
    )
)
def test_session_form_fuzz(client, actions, fields):
    if signed_in_as_admin(actions):
        factories.offering(status=OfferingStatus.DRAFT, sessions=0)
    offering_id = db.session.scalar(sa.select(Offering.id))
    before = counts()
    response = actions.post(f"/manage/offerings/{offering_id}/sessions", session_form(**fields))
    assert response.status_code in (302, 400, 422)
    after = counts()
    assert after == ((before[0], before[1] + 1) if response.status_code == 302 else before)


# --- the list loads in a fixed number of queries --------------------------------------


def test_manage_list_queries_do_not_grow_with_offerings(client, actions):
    admin()
    member = factories.person("pat@example.org")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            offering = factories.offering(f"Workshop {i:02}", sessions=2, host="OH")
            db.session.add(
                Registration(offering_id=offering.id, user_id=member.id, status="confirmed")
            )
        db.session.commit()

    add(0, 2)
    actions.sign_in("admin@example.org")
    with counted() as few:
        assert client.get("/manage").status_code == 200
    add(2, 25)
    with counted() as many:
        listing = client.get("/manage")
    assert listing.status_code == 200 and "Workshop 24" in listing.get_data(as_text=True)
    assert len(many) == len(few)
