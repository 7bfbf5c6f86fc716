"""Mentoring through HTTP (PRODUCT §8): who may see and do what (404 otherwise), forms with
and without htmx, completion certificates that verify and show on transcripts."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.accounts.models import User
from esp_registry.certificates.models import Certificate, TranscriptCode
from esp_registry.certificates.rules import display_code, revoke
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring import rules
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
    PairingStatus,
)
from esp_registry.notifications.models import OutboxMessage
from esp_registry.reference_data import SUPPORTING_OUR_OWN_PROGRAM_SLUG
from tests import factories
from tests.integration.mentoring_world import (
    admin,
    approver,
    graduate,
    mentee,
    mentor,
    paired,
    soo_certificate,
    the_admin,
)
from tests.integration.test_query_counts import counted

HTMX = {"HX-Request": "true"}


def text_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return text_of_html(response.get_data(as_text=True))


def count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# ---------------------------------------------------------------------------- mentors


def test_without_a_certificate_the_page_says_why_and_links_to_the_next_training(client, actions):
    factories.person("pat@example.org")
    later = factories.offering(
        "Supporting Our Own (Dayton)",
        program=SUPPORTING_OUR_OWN_PROGRAM_SLUG,
        starts_in=timedelta(days=60),
    )
    sooner = factories.offering(
        "Supporting Our Own (Columbus)",
        program=SUPPORTING_OUR_OWN_PROGRAM_SLUG,
        starts_in=timedelta(days=20),
    )
    actions.sign_in("pat@example.org")
    page = client.get("/mentoring/mentor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Why you cannot volunteer yet" in html and "valid certificate" in html
    assert f'href="/offerings/{sooner.id}"' in html and f"/offerings/{later.id}" not in html
    assert 'name="capacity"' not in html  # no form to fill in
    # Posting anyway changes nothing.
    refused = actions.post(
        "/mentoring/mentor",
        {"job_family_id": "1", "affiliate_id": "1", "capacity": "2", "local_name": "", "note": ""},
    )
    assert refused.status_code == 422 and "complete it first" in text_of(refused)
    assert count(MentorProfile) == 0


def test_no_training_scheduled_links_to_the_catalog(client, actions):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    page = client.get("/mentoring/mentor").get_data(as_text=True)
    assert "No Supporting Our Own training is scheduled" in page and 'href="/?q=' in page


def test_a_graduate_volunteers_pauses_and_resumes(client, actions):
    member = factories.person("pat@example.org", name="Pat Graduate")
    graduate(member)
    actions.sign_in("pat@example.org")
    form = client.get("/mentoring/mentor").get_data(as_text=True)
    assert "Volunteer as a mentor" in form and 'name="capacity"' in form
    response = actions.post(
        "/mentoring/mentor",
        {
            "job_family_id": str(member.job_family_id),
            "affiliate_id": str(member.affiliate_id),
            "local_name": "Columbus EA",
            "capacity": "3",
            "note": "Ask me about IEP meetings.",
        },
    )
    assert response.status_code == 302
    page = client.get("/mentoring/mentor")
    assert "Active: taking mentees" in text_of(page) and "0 of 3 mentees" in text_of(page)
    too_many = actions.post(
        "/mentoring/mentor",
        {"job_family_id": str(member.job_family_id), "affiliate_id": "x", "capacity": "9"},
    )
    assert too_many.status_code == 422
    assert "Choose 1 to 5 mentees" in text_of(too_many)
    assert "Choose your state affiliate" in text_of(too_many)
    assert db.session.scalar(sa.select(MentorProfile.capacity)) == 3

    assert actions.post("/mentoring/mentor/pause").status_code == 302
    assert "Paused" in text_of(client.get("/mentoring/mentor"))
    assert actions.post("/mentoring/mentor/resume").status_code == 302
    assert actions.post("/mentoring/mentor/withdraw").status_code == 302
    assert "Withdrawn" in text_of(client.get("/mentoring/mentor"))
    assert "Withdrawn" in text_of(client.get("/mentoring/"))
    # Spanish agrees in gender: a mentor (el mentor) is "retirado", a request "retirada".
    assert "Retirado" in text_of(client.get("/mentoring/mentor?lang=es"))


def test_a_revoked_certificate_shows_suspended_with_the_date(client, actions):
    profile = mentor("mentor@example.org", name="Maria Mentor")
    certificate = soo_certificate(profile.user)
    staff = admin()
    actions.sign_in("admin@example.org")
    revoked = actions.post(
        f"/certificates/{certificate.id}/revoke", {"reason": "Attended for someone else"}
    )
    assert revoked.status_code == 302
    actions.sign_out()
    assert staff.id
    actions.sign_in("mentor@example.org")
    page = text_of(client.get("/mentoring/mentor"))
    assert "Status: Suspended" in page and "was revoked on" in page
    # Nothing to pause or resume while suspended: only stopping for good makes sense.
    assert "Pause" not in page and "Resume" not in page
    assert "Stop volunteering" in page
    assert "Suspended" in text_of(client.get("/mentoring/"))
    actions.sign_out()
    # A mentor who had paused, then lost the certificate: the same.
    paused = mentor("paused@example.org", name="Paula Paused")
    assert rules.pause(paused).ok
    revoke(soo_certificate(paused.user), staff, "Attended for someone else")
    actions.sign_in("paused@example.org")
    page = text_of(client.get("/mentoring/mentor")).split("Sign out", 1)[1]  # after the menu
    assert "Status: Suspended" in page and "was revoked on" in page
    assert "Pause" not in page and "Resume" not in page and "Stop volunteering" in page


# ---------------------------------------------------------------------------- mentees


def test_a_new_esp_asks_for_a_mentor_and_withdraws(client, actions):
    member = factories.person("new@example.org")
    actions.sign_in("new@example.org")
    page = client.get("/mentoring/request").get_data(as_text=True)
    assert 'type="date"' in page and 'name="help_with"' in page
    old = (utcnow() - timedelta(days=4 * 365)).date().isoformat()
    form = {
        "job_family_id": str(member.job_family_id),
        "affiliate_id": str(member.affiliate_id),
        "local_name": "Columbus EA",
        "started_job_on": old,
        "help_with": "Everything",
    }
    refused = actions.post("/mentoring/request", form)
    assert refused.status_code == 422 and "up to 3 years in the job" in text_of(refused)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert count(MentoringRequest) == 0

    form["started_job_on"] = (utcnow() - timedelta(days=400)).date().isoformat()
    assert actions.post("/mentoring/request", form).status_code == 302
    assert actions.post("/mentoring/request", form).status_code == 302  # double click: one
    assert count(MentoringRequest) == 1
    page = text_of(client.get("/mentoring/request"))
    assert "Waiting for a match" in page and "Everything" in page
    request_id = db.session.scalar(sa.select(MentoringRequest.id))
    assert client.get(f"/mentoring/requests/{request_id}").status_code == 200
    assert actions.post(f"/mentoring/requests/{request_id}/withdraw").status_code == 302
    assert "Ask for a mentor" in text_of(client.get("/mentoring/request"))


# ---------------------------------------------------------------------------- matching


def queue_world():  # type: ignore[no-untyped-def]
    best = mentor("best@example.org", name="Bea Best", local="Columbus EA")
    other = mentor("far@example.org", name="Fay Far", state="TX", job_family="food-services")
    request = mentee("mentee@example.org", name="Noah Newcomer", local="Columbus EA")
    return best, other, request


def queue_section(response) -> str:  # type: ignore[no-untyped-def]
    """The htmx answer to a match: the whole queue region, as the page shows it."""
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="queue"'), html[:200]
    return html


def row_text(html: str, request_id: int) -> str:
    """The text of one request's row in the queue."""
    found = re.search(
        rf'<li class="card" id="request-{request_id}">(.*?)</li>\s*(?=<li class="card"|</ul>)',
        html,
        re.S,
    )
    assert found, f"no row for request {request_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_queue_shows_ranked_suggestions_and_htmx_match_renders_the_queue_again(client, actions):
    best, _other, request = queue_world()
    approver("OH")
    actions.sign_in("approver.oh@example.org")
    page = client.get("/mentoring/requests")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Bea Best") < html.index("Fay Far")
    assert (
        "Same job family" in html and "Same local" in html and "Working with my classroom" in html
    )
    # The match forms swap the whole queue region (counts, rows, loads and pairings).
    assert '<div id="queue">' in html and 'hx-target="#queue"' in html

    response = actions.post(
        f"/mentoring/requests/{request.id}/match", {"mentor_profile_id": str(best.id)}, headers=HTMX
    )
    assert response.status_code == 200
    fragment = queue_section(response)
    pairing = db.session.scalar(sa.select(MentoringPairing))
    assert (
        pairing.mentor_id == best.user_id and pairing.matched_by.email == "approver.oh@example.org"
    )
    # The confirmation takes the focus, with a link to the new pairing, and is announced
    # by the page's live region (an out-of-band swap into #live-status).
    status = re.search(
        r'<p class="flash success" tabindex="-1" autofocus>(.*?)</p>', fragment, re.S
    )
    announced = re.search(
        r'<div id="live-status" hx-swap-oob="innerHTML">(.*?)</div>', fragment, re.S
    )
    assert announced and "Noah Newcomer is paired with Bea Best" in announced.group(1)
    assert status, fragment[:500]
    assert "Noah Newcomer is paired with Bea Best" in status.group(1)
    assert f'href="/mentoring/pairings/{pairing.id}"' in status.group(1)
    kinds = set(db.session.scalars(sa.select(OutboxMessage.kind)))
    assert {"mentoring_matched_mentor", "mentoring_matched_mentee"} <= kinds
    # The request left the queue; the pairing is listed with its actions.
    shown = text_of(response)
    assert "0 open requests" in shown and "1 active pairing" in shown
    assert "Bea Best mentoring Noah Newcomer" in shown and "Mark complete" in shown
    assert f'id="request-{request.id}"' not in fragment
    page = text_of(client.get("/mentoring/requests"))
    assert "0 open requests" in page and "1 active pairing" in page and "Mark complete" in page


def test_htmx_match_updates_the_other_rows_loads_and_drops_a_full_mentor(client, actions):
    """After a match, the other requests show the mentor's new load, and stop offering a
    mentor the match brought to capacity."""
    best = mentor("best@example.org", name="Bea Best", local="Columbus EA", capacity=2)
    mentor("far@example.org", name="Fay Far", job_family="food-services")
    first = mentee("mentee@example.org", name="Noah Newcomer", local="Columbus EA")
    second = mentee("olive@example.org", name="Olive Other", local="Columbus EA")
    third = mentee("pat@example.org", name="Pat Third", local="Columbus EA")
    approver("OH")
    actions.sign_in("approver.oh@example.org")
    before = client.get("/mentoring/requests").get_data(as_text=True)
    assert "0 of 2 mentees" in row_text(before, second.id)

    def match(request: MentoringRequest) -> str:
        response = actions.post(
            f"/mentoring/requests/{request.id}/match",
            {"mentor_profile_id": str(best.id)},
            headers=HTMX,
        )
        assert response.status_code == 200
        return queue_section(response)

    once = match(first)
    assert "2 open requests" in text_of_html(once) and "1 active pairing" in text_of_html(once)
    for request in (second, third):
        row = row_text(once, request.id)
        assert "Bea Best" in row and "1 of 2 mentees" in row and "0 of 2" not in row, row
    twice = match(second)
    assert "1 open request" in text_of_html(twice) and "2 active pairings" in text_of_html(twice)
    row = row_text(twice, third.id)
    assert "Bea Best" not in row and "Fay Far" in row, row
    assert f'value="{best.id}"' not in twice  # no Match button for her anywhere


def test_match_without_javascript_posts_and_redirects(client, actions):
    best, _other, request = queue_world()
    admin()
    actions.sign_in("admin@example.org")
    response = actions.post(
        f"/mentoring/requests/{request.id}/match", {"mentor_profile_id": str(best.id)}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/mentoring/requests"
    )
    assert "is paired with Bea Best" in text_of(client.get("/mentoring/requests"))
    # A second confirmation of the same request is refused with a message.
    again = actions.post(
        f"/mentoring/requests/{request.id}/match", {"mentor_profile_id": str(best.id)}, headers=HTMX
    )
    assert again.status_code == 200 and "no longer open" in again.get_data(as_text=True)
    bad = actions.post(f"/mentoring/requests/{request.id}/match", {"mentor_profile_id": "abc"})
    assert bad.status_code == 302
    assert count(MentoringPairing) == 1


def test_request_page_lists_every_available_mentor_for_staff(client, actions):
    _best, _other, request = queue_world()
    admin()
    actions.sign_in("admin@example.org")
    page = text_of(client.get(f"/mentoring/requests/{request.id}"))
    assert "2 available mentors, best first" in page
    assert page.index("Bea Best") < page.index("Fay Far")


# ---------------------------------------------------------------------------- authorization


def test_approvers_of_another_affiliate_get_404_for_requests_pairings_and_logs(client, actions):
    best, _other, request = queue_world()
    pairing = paired("m2@example.org", "n2@example.org")
    log = rules.log_activity(
        pairing, pairing.mentor, rules.LogEntry("coaching", utcnow().date(), Decimal(1))
    ).subject
    approver("TX")
    actions.sign_in("approver.tx@example.org")
    assert client.get("/mentoring/requests").status_code == 200  # their own (empty) queue
    assert "Noah Newcomer" not in client.get("/mentoring/requests").get_data(as_text=True)
    for url in (f"/mentoring/requests/{request.id}", f"/mentoring/pairings/{pairing.id}"):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/mentoring/requests/{request.id}/match", {"mentor_profile_id": str(best.id)}),
        (f"/mentoring/pairings/{pairing.id}/logs", {"activity": "coaching", "hours": "1"}),
        (f"/mentoring/logs/{log.id}/delete", {}),
        (f"/mentoring/pairings/{pairing.id}/end", {"reason": "no"}),
        (f"/mentoring/pairings/{pairing.id}/complete", {}),
        (f"/mentoring/requests/{request.id}/withdraw", {}),
    ):
        assert actions.post(url, data).status_code == 404, url
    assert count(MentoringPairing) == 1 and count(MentoringLog) == 1
    db.session.refresh(pairing)
    assert pairing.status == PairingStatus.ACTIVE


def test_members_see_only_their_own_pairings_and_logs(client, actions):
    pairing = paired()
    log = rules.log_activity(
        pairing, pairing.mentor, rules.LogEntry("coaching", utcnow().date(), Decimal(1))
    ).subject
    factories.person("stranger@example.org")
    actions.sign_in("stranger@example.org")
    assert client.get("/mentoring/requests").status_code == 404  # no queue for members
    assert client.get(f"/mentoring/pairings/{pairing.id}").status_code == 404
    assert client.get(f"/mentoring/requests/{pairing.request_id}").status_code == 404
    assert client.get(f"/mentoring/pairings/{pairing.id}/certificate.pdf").status_code == 404
    for url in (
        f"/mentoring/pairings/{pairing.id}/logs",
        f"/mentoring/logs/{log.id}/delete",
        f"/mentoring/pairings/{pairing.id}/end",
    ):
        assert actions.post(url, {"reason": "x", "hours": "1"}).status_code == 404, url
    actions.sign_out()
    # The mentee sees the pairing but may not take back the mentor's log.
    actions.sign_in("mentee@example.org")
    assert client.get(f"/mentoring/pairings/{pairing.id}").status_code == 200
    assert actions.post(f"/mentoring/logs/{log.id}/delete").status_code == 404
    # ...nor mark it complete (staff only).
    assert actions.post(f"/mentoring/pairings/{pairing.id}/complete").status_code == 404
    assert count(MentoringLog) == 1
    actions.sign_out()
    assert client.get(f"/mentoring/pairings/{pairing.id}").status_code == 302  # sign in first


# ---------------------------------------------------------------------------- logs


def log_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "activity": "mentoring_conversation",
        "on_date": utcnow().date().isoformat(),
        "hours": "1.5",
        "note": "First meeting",
    }
    data.update(changes)
    return data


def test_both_log_and_see_running_totals(client, actions):
    pairing = paired()
    url = f"/mentoring/pairings/{pairing.id}/logs"
    actions.sign_in("mentor@example.org")
    page = client.get(f"/mentoring/pairings/{pairing.id}").get_data(as_text=True)
    assert "Log an activity" in page and "Peer observation" in page and "Reflective log" in page
    assert actions.post(url, log_form()).status_code == 302
    htmx = actions.post(url, log_form(activity="coaching", hours="2"), headers=HTMX)
    assert htmx.status_code == 200
    fragment = htmx.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="activity-log"')
    assert "Logged: Coaching, 2 hours." in fragment
    actions.sign_out()
    actions.sign_in("mentee@example.org")
    assert actions.post(url, log_form(activity="reflective_log", hours="0.5")).status_code == 302
    page = text_of(client.get(f"/mentoring/pairings/{pairing.id}"))
    assert "Mentoring conversation 1.5 0 1.5" in page
    assert "Coaching 2 0 2" in page and "Reflective log 0 0.5 0.5" in page
    assert "Total 3.5 0.5 4" in page
    assert "First meeting" in page


def test_logged_hours_read_in_the_members_language(client, actions):
    pairing = paired()
    actions.sign_in("mentor@example.org")
    client.get("/?lang=es")
    logged = actions.post(
        f"/mentoring/pairings/{pairing.id}/logs", log_form(), headers=HTMX
    ).get_data(as_text=True)
    assert "Registrado: Conversación de mentoría, 1,5 horas." in logged


def test_bad_log_input_through_http_shows_the_message_and_stores_nothing(client, actions):
    pairing = paired()
    url = f"/mentoring/pairings/{pairing.id}/logs"
    actions.sign_in("mentor@example.org")
    today = utcnow().date()
    for data, message in (
        (log_form(hours="-2"), "Enter more than 0 hours."),
        (log_form(hours="0"), "Enter more than 0 hours."),
        (log_form(hours="abc"), "Enter the hours"),
        (log_form(on_date=(today + timedelta(days=2)).isoformat()), "cannot be in the future"),
        (
            log_form(on_date=(today - timedelta(days=2)).isoformat()),
            "log activities from that day on",
        ),
        (log_form(on_date="yesterday"), "Enter a date"),
        (log_form(hours="25"), "24 or fewer"),
    ):
        response = actions.post(url, data)
        assert response.status_code == 422, data
        assert message in text_of(response), (data, text_of(response)[:300])
        htmx = actions.post(url, data, headers=HTMX)
        assert htmx.status_code == 200 and message in text_of(htmx)
    assert actions.post(url, log_form(hours="20")).status_code == 302
    over = actions.post(url, log_form(hours="5"))
    assert over.status_code == 422 and "already logged 20 hours" in text_of(over)
    assert count(MentoringLog) == 1


def test_remove_own_log(client, actions):
    pairing = paired()
    actions.sign_in("mentor@example.org")
    actions.post(f"/mentoring/pairings/{pairing.id}/logs", log_form())
    log_id = db.session.scalar(sa.select(MentoringLog.id))
    response = actions.post(f"/mentoring/logs/{log_id}/delete", headers=HTMX)
    assert response.status_code == 200 and "The activity is removed." in response.get_data(
        as_text=True
    )
    assert count(MentoringLog) == 0


# ---------------------------------------------------------------------------- end and complete


def test_mentee_ends_early_with_a_reason(client, actions):
    pairing = paired()
    actions.sign_in("mentee@example.org")
    blank = actions.post(f"/mentoring/pairings/{pairing.id}/end", {"reason": "  "})
    assert blank.status_code == 422 and "Say why the pairing ends." in text_of(blank)
    response = actions.post(
        f"/mentoring/pairings/{pairing.id}/end", {"reason": "I changed schools"}
    )
    assert response.status_code == 302
    page = text_of(client.get(f"/mentoring/pairings/{pairing.id}"))
    assert "Ended early" in page and "by Noah Newcomer" in page and "I changed schools" in page
    assert "Log an activity" not in page
    sent = db.session.scalars(
        sa.select(OutboxMessage.to_email).where(OutboxMessage.kind == "mentoring_ended")
    ).all()
    assert sorted(sent) == ["mentee@example.org", "mentor@example.org"]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_completion_certificates_download_verify_and_show_on_both_transcripts(client, actions):
    pairing = paired()
    today = utcnow().date()
    rules.log_activity(pairing, pairing.mentor, rules.LogEntry("coaching", today, Decimal("3.5")))
    rules.log_activity(
        pairing, pairing.mentee, rules.LogEntry("reflective_log", today, Decimal("1.25"))
    )
    actions.sign_in("approver.oh@example.org")
    response = actions.post(f"/mentoring/pairings/{pairing.id}/complete")
    assert response.status_code == 302
    staff_page = text_of(client.get(f"/mentoring/pairings/{pairing.id}"))
    assert "Completed on" in staff_page and "Reason for revoking" in staff_page
    actions.sign_out()

    kinds = db.session.scalars(
        sa.select(OutboxMessage.to_email).where(OutboxMessage.kind == "mentoring_completed")
    ).all()
    assert sorted(kinds) == ["mentee@example.org", "mentor@example.org"]
    certificates = {
        c.mentoring_role: c
        for c in db.session.scalars(
            sa.select(Certificate).where(Certificate.mentoring_pairing_id == pairing.id)
        )
    }
    assert certificates[MentoringRole.MENTOR].hours == Decimal("3.5")
    assert certificates[MentoringRole.MENTEE].hours == Decimal("1.25")

    # The mentor's year also holds the Supporting Our Own training (5 hours) that made them one.
    for email, role, hours, name, year_total in (
        ("mentor@example.org", MentoringRole.MENTOR, "3.5", "Maria Mentor", "8.5"),
        ("mentee@example.org", MentoringRole.MENTEE, "1.25", "Noah Newcomer", "1.25"),
    ):
        certificate = certificates[role]
        actions.sign_in(email)
        page = text_of(client.get(f"/mentoring/pairings/{pairing.id}"))
        assert "Download my certificate" in page
        download = client.get(f"/mentoring/pairings/{pairing.id}/certificate.pdf")
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        text = pdf_text(download.data)
        assert name in text and "Certificate of Mentoring" in text and hours in text
        assert display_code(certificate.code) in text and "Supporting Our Own" in text
        transcript = text_of(client.get("/transcript"))
        assert f"Mentoring pairing as {role.value}" in transcript and hours in transcript
        assert f"Total for {utcnow().year} {year_total}" in transcript
        pdf = client.get("/transcript.pdf")
        assert pdf.status_code == 200 and f"Mentoring pairing as {role.value}" in pdf_text(pdf.data)
        actions.sign_out()

        verify = client.get(f"/verify/{certificate.code}")
        assert verify.status_code == 200
        shown = text_of(verify)
        assert "valid certificate of mentoring" in shown and name in shown and hours in shown
        assert email not in shown


def test_exactly_one_hour_reads_1_hour_on_the_page_certificate_and_e_mail(client, actions):
    pairing = paired()
    actions.sign_in("mentor@example.org")
    logged = actions.post(
        f"/mentoring/pairings/{pairing.id}/logs",
        log_form(activity="coaching", hours="1"),
        headers=HTMX,
    )
    assert "Logged: Coaching, 1 hour." in text_of(logged)
    rules.log_activity(
        pairing, pairing.mentee, rules.LogEntry("reflective_log", utcnow().date(), Decimal("1.5"))
    )
    assert rules.complete_pairing(pairing, the_admin()).ok
    page = text_of(client.get(f"/mentoring/pairings/{pairing.id}"))
    assert "· 1 hour " in page and "· 1.5 hours " in page and "1 hours" not in page
    pdf = pdf_text(client.get(f"/mentoring/pairings/{pairing.id}/certificate.pdf").data)
    assert "with 1 hour of logged mentoring activities" in pdf
    bodies = dict(
        db.session.execute(
            sa.select(OutboxMessage.to_email, OutboxMessage.body_text).where(
                OutboxMessage.kind == "mentoring_completed"
            )
        ).all()
    )
    assert "shows the 1 hour you logged" in bodies["mentor@example.org"]
    assert "shows the 1.5 hours you logged" in bodies["mentee@example.org"]


def test_staff_revoke_a_mentoring_certificate_from_the_pairing_page(client, actions):
    pairing = paired()
    today = utcnow().date()
    rules.log_activity(pairing, pairing.mentor, rules.LogEntry("coaching", today, Decimal(2)))
    rules.complete_pairing(pairing, admin())
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.mentoring_pairing_id == pairing.id)
    )
    actions.sign_in("mentor@example.org")
    client.get("/transcript.pdf")
    client.get("/transcript.pdf")  # the same transcript: the same code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TranscriptCode)) == 1
    actions.sign_out()
    approver("TX")
    actions.sign_in("approver.tx@example.org")
    assert (
        actions.post(f"/certificates/{certificate.id}/revoke", {"reason": "x"}).status_code == 404
    )
    actions.sign_out()
    actions.sign_in("approver.oh@example.org")
    refused = actions.post(f"/certificates/{certificate.id}/revoke", {"reason": " "})
    assert refused.status_code == 302 and "#certificates" in refused.headers["Location"]
    response = actions.post(f"/certificates/{certificate.id}/revoke", {"reason": "Hours invented"})
    assert response.status_code == 302
    assert "Revoked on" in text_of(client.get(f"/mentoring/pairings/{pairing.id}"))
    actions.sign_out()
    assert "was revoked on" in text_of(client.get(f"/verify/{certificate.code}"))
    actions.sign_in("mentor@example.org")
    assert "Mentoring pairing" not in text_of(client.get("/transcript"))
    assert client.get(f"/mentoring/pairings/{pairing.id}/certificate.pdf").status_code == 404
    client.get("/transcript.pdf")  # the revocation changed the transcript: a new code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TranscriptCode)) == 2


def test_pages_render_for_everyone_involved(client, actions):
    pairing = paired()
    mentee("waiting@example.org", name="Wanda Waiting")
    for email in ("mentor@example.org", "mentee@example.org", "approver.oh@example.org"):
        actions.sign_in(email)
        for url in (
            "/mentoring/",
            "/mentoring/mentor",
            "/mentoring/request",
            f"/mentoring/pairings/{pairing.id}",
        ):
            response = client.get(url)
            assert response.status_code == 200, (email, url)
            assert 'name="viewport"' in response.get_data(as_text=True)
        actions.sign_out()
    actions.sign_in("approver.oh@example.org")
    nav = client.get("/mentoring/").get_data(as_text=True)
    assert 'href="/mentoring/requests"' in nav and "Wanda Waiting" in client.get(
        "/mentoring/requests"
    ).get_data(as_text=True)


# ---------------------------------------------------------------------------- query counts


def add_requests(start: int, stop: int) -> None:
    for i in range(start, stop):
        mentee(
            f"mentee{i}@example.org",
            name=f"Mentee {i:03}",
            job_family=("paraeducators", "food-services")[i % 2],
        )


def test_queue_queries_do_not_grow_with_requests_and_suggestions(client, actions):
    """The queue page, and the queue an htmx match renders again, take as many queries for
    50 open requests as for 10."""
    for i in range(6):
        mentor(f"mentor{i}@example.org", name=f"Mentor {i}", capacity=5, state=("OH", "TX")[i % 2])
    admin()
    add_requests(0, 10)
    for i in range(3):  # some active pairings too
        pairing = rules.confirm_match(
            mentee(f"paired{i}@example.org", name=f"Paired {i}"),
            db.session.scalar(sa.select(MentorProfile).order_by(MentorProfile.id).offset(i)),
            the_admin(),
        )
        assert pairing.ok
    actions.sign_in("admin@example.org")

    def queries_for_queue() -> int:
        with counted() as statements:
            response = client.get("/mentoring/requests")
            assert response.status_code == 200
        return len(statements)

    def queries_for_match(email: str, mentor_email: str) -> int:
        request_id = db.session.scalar(
            sa.select(MentoringRequest.id).join(MentoringRequest.user).where(User.email == email)
        )
        profile_id = db.session.scalar(
            sa.select(MentorProfile.id).join(MentorProfile.user).where(User.email == mentor_email)
        )
        db.session.commit()
        with counted() as statements:
            response = actions.post(
                f"/mentoring/requests/{request_id}/match",
                {"mentor_profile_id": str(profile_id)},
                headers=HTMX,
            )
            assert response.status_code == 200 and "is paired with" in text_of(response)
        return len(statements)

    few = queries_for_queue()
    few_match = queries_for_match("mentee0@example.org", "mentor0@example.org")
    add_requests(10, 50)
    for i in range(6, 11):
        mentor(f"mentor{i}@example.org", name=f"Mentor {i}", capacity=5)
    many = queries_for_queue()
    many_match = queries_for_match("mentee2@example.org", "mentor2@example.org")
    assert (many, many_match) == (few, few_match)
    page = client.get("/mentoring/requests?page=3").get_data(as_text=True)
    assert "Mentee 049" in page and "48 open requests" in page and "41\u201348 of 48" in page
