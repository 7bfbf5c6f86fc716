"""Numbers and dates people (or crafted requests) send are read by the form layer: a value
that is no number of ours gets a page with a message, never a 500, and nothing is written
(issue 11). `'²'.isdigit()` is True but `int('²')` fails; year 9999 cannot be moved to UTC."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from esp_registry.attendance.models import AttendanceStatus
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication, LftStatus
from esp_registry.mentoring.models import MentoringPairing, MentorProfile
from tests.integration.input_world import table_counts
from tests.integration.mentoring_world import mentee, mentor, paired
from tests.integration.test_lft_world import admin, approver, endorsed, make_cycle, member
from tests.integration.test_offering_management import approver as ohio_approver

# Not numbers (or not ids) of ours; '-0' and '0' are numbers, but no rank, id or hours.
NOT_NUMBERS = [
    "\u00b2",  # superscript two: isdigit() but not int()
    "\u0663",  # Arabic-Indic three: int() reads it, our ids do not
    "1e309",
    "99999999999999999999",
    str(2**31),
    str(2**63),
    "-0",
    "-1",
    "0",
    "NaN",
    "sNaN",
    "Infinity",
    "0x10",
    "1_000",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "1" * 5000,  # more digits than int() reads
]
HX = {"HX-Request": "true"}


def test_review_filters_that_are_no_ids_show_every_application(client, actions):
    cycle = make_cycle(around=utcnow())
    endorsed(member(), cycle, by=approver(), now=utcnow())
    admin()
    actions.sign_in("admin@example.org")
    for bad in [*NOT_NUMBERS, "\u00a0"]:
        for name in ("affiliate", "family", "sort"):
            response = client.get(f"/lft/cycles/{cycle.id}/review", query_string={name: bad})
            assert response.status_code == 200, (name, bad)
            assert "Applicant 1 OH" in response.get_data(as_text=True), (name, bad)
    ohio = db.session.scalar(sa.text("SELECT id FROM affiliates WHERE code = 'OH'"))
    texas = db.session.scalar(sa.text("SELECT id FROM affiliates WHERE code = 'TX'"))
    shown = client.get(f"/lft/cycles/{cycle.id}/review?affiliate={ohio}").get_data(as_text=True)
    hidden = client.get(f"/lft/cycles/{cycle.id}/review?affiliate={texas}").get_data(as_text=True)
    assert "Applicant 1 OH" in shown and "Applicant 1 OH" not in hidden


def test_alternate_rank_that_is_no_number_names_nobody(client, actions):
    cycle = make_cycle(around=utcnow())
    application = endorsed(member(), cycle, by=approver(), now=utcnow())
    admin()
    actions.sign_in("admin@example.org")
    url = f"/lft/applications/{application.id}/alternate"
    before = table_counts()
    for bad in NOT_NUMBERS:
        response = actions.post(url, {"rank": bad})
        assert response.status_code == 302, bad
        page = client.get(response.location).get_data(as_text=True)
        assert "Enter the rank as a number from 1 to 999." in page, bad
        assert table_counts() == before, bad
    db.session.expire_all()
    assert db.session.get(LftApplication, application.id).status == LftStatus.ENDORSED
    assert actions.post(url, {"rank": " 1"}).status_code == 302  # a typed space is fine
    db.session.expire_all()
    named = db.session.get(LftApplication, application.id)
    assert named.status == LftStatus.ALTERNATE and named.alternate_rank == 1


def test_match_with_a_mentor_id_that_is_no_id_pairs_nobody(client, actions):
    profile = mentor("mentor@example.org")
    request = mentee("mentee@example.org")
    ohio_approver()
    actions.sign_in("approver.oh@example.org")
    url = f"/mentoring/requests/{request.id}/match"
    before = table_counts()
    for bad in [*NOT_NUMBERS, ""]:
        plain = actions.post(url, {"mentor_profile_id": bad})
        assert plain.status_code == 302, bad
        assert "Choose a mentor from the suggestions." in client.get(plain.location).get_data(
            as_text=True
        )
        fragment = actions.post(url, {"mentor_profile_id": bad}, headers=HX)
        assert fragment.status_code == 200, bad
        assert "Choose a mentor from the suggestions." in fragment.get_data(as_text=True), bad
        assert table_counts() == before, bad
    assert actions.post(url, {"mentor_profile_id": str(profile.id)}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentoringPairing)) == 1


def test_log_hours_that_are_no_number_log_nothing(client, actions):
    pairing = paired()
    actions.sign_in("mentor@example.org")
    url = f"/mentoring/pairings/{pairing.id}/logs"
    before = table_counts()
    day = utcnow().date().isoformat()
    for bad in [*NOT_NUMBERS, "1e1", "1,5e1", "", " ", "\u00a0"]:
        data = {"activity": "coaching", "on_date": day, "hours": bad}
        response = actions.post(url, data)
        assert response.status_code == 422, bad
        assert table_counts() == before, bad
        assert actions.post(url, data, headers=HX).status_code == 200, bad
        assert table_counts() == before, bad
    good = actions.post(url, {"activity": "coaching", "on_date": day, "hours": " 1,5"})
    assert good.status_code == 302


def test_mentor_form_ids_that_are_no_ids_store_nothing(client, actions):
    user_profile = mentor("mentor@example.org")
    actions.sign_in("mentor@example.org")
    db.session.execute(sa.delete(MentorProfile).where(MentorProfile.id == user_profile.id))
    db.session.commit()
    before = table_counts()
    for bad in NOT_NUMBERS:
        for name in ("job_family_id", "affiliate_id", "capacity"):
            data = {"job_family_id": "1", "affiliate_id": "1", "capacity": "2", name: bad}
            response = actions.post("/mentoring/mentor", data)
            assert response.status_code == 422, (name, bad)
            assert table_counts() == before, (name, bad)


def cycle_form(**changes: str) -> dict[str, str]:
    data = {
        "year": "2031",
        "opens": "2031-01-05T09:00",
        "closes": "2031-02-05T17:00",
        "review_deadline": "2031-03-05T17:00",
        "decision_date": "2031-04-05T17:00",
        "cohort_size": "20",
        "max_endorsements_per_affiliate": "",
        "confirm_within_days": "14",
        "criteria": "Leadership: what they led",
    }
    data.update(changes)
    return data


def test_cycle_dates_and_numbers_out_of_range_store_nothing(client, actions):
    admin()
    actions.sign_in("admin@example.org")
    before = table_counts()
    far = {"9999-12-31T23:59", "0001-01-01T00:00", "1999-12-31T23:59", "2101-01-01T00:00"}
    for bad in [*NOT_NUMBERS, *far]:
        for name in cycle_form():
            if name == "criteria" or (name == "max_endorsements_per_affiliate" and bad == ""):
                continue
            response = actions.post("/lft/cycles/new", cycle_form(**{name: bad}))
            assert response.status_code == 422, (name, bad)
            assert table_counts() == before, (name, bad)
            if bad in far and name in ("opens", "closes", "review_deadline", "decision_date"):
                assert "Enter a date between 2000 and 2100." in response.get_data(as_text=True)
    assert actions.post("/lft/cycles/new", cycle_form()).status_code == 302


def test_attendance_hours_that_are_no_number_credit_nothing(client, actions):
    from esp_registry.attendance import rules
    from tests.integration.test_attendance import marks, setup_session

    facilitator, _, session, registration = setup_session()
    rules.mark(session, registration, AttendanceStatus.PRESENT, facilitator)
    actions.sign_in("fac@example.org")
    before = table_counts()
    url = f"/sessions/{session.id}/attendance/{registration.id}/hours"
    for bad in (n for n in NOT_NUMBERS if n != "0"):  # 0 hours is an answer
        assert actions.post(url, {"hours": bad}).status_code == 422, bad
        assert actions.post(url, {"hours": bad}, headers=HX).status_code == 200, bad
        assert table_counts() == before and marks() == [("present", "5.00")], bad


def test_offering_and_session_numbers_out_of_range_store_nothing(client, actions):
    from tests import factories
    from tests.integration.test_offering_management import admin as manage_admin
    from tests.integration.test_offering_management import offering_form, session_form

    manage_admin()
    draft = factories.offering(sessions=0, starts_in=timedelta(days=40), status="draft")
    actions.sign_in("admin@example.org")
    before = table_counts()
    numbers = ("program_id", "host_affiliate_id", "capacity", "offer_hours", "parent_id")
    for bad in NOT_NUMBERS:
        for name in (*numbers, "audience_ids", "registration_opens", "registration_closes"):
            if bad == "0" and name in ("host_affiliate_id", "parent_id"):
                continue  # 0 is National, and "no parent"
            response = actions.post("/manage/offerings/new", offering_form(**{name: bad}))
            assert response.status_code == 422, (name, bad)
        for name in ("day", "starts", "ends", "contact_hours"):
            if name == "contact_hours" and bad in ("0", "-0"):
                continue  # a session may carry no contact hours
            url = f"/manage/offerings/{draft.id}/sessions"
            assert actions.post(url, session_form(**{name: bad})).status_code == 422, (name, bad)
        assert table_counts() == before, bad
