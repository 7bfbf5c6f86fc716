"""Supporting Our Own mentoring rules (PRODUCT §8), called directly: eligibility, requests,
matching, logs, ending and completion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.certificates import rules as certificate_rules
from esp_registry.certificates.models import Certificate
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring import queries, rules
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
    MentorStatus,
    PairingStatus,
    RequestStatus,
)
from esp_registry.mentoring.rules import LogEntry, Outcome
from esp_registry.notifications.models import OutboxMessage
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

Outcomes = Outcome


def count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def mail(kind: str) -> list[str]:
    return list(
        db.session.scalars(sa.select(OutboxMessage.to_email).where(OutboxMessage.kind == kind))
    )


def details(**changes: object) -> rules.MentorDetails:
    values: dict[str, object] = {
        "job_family_id": factories.family("paraeducators").id,
        "affiliate_id": factories.affiliate("OH").id,
        "local_name": "Columbus EA",
        "capacity": 2,
        "note": "",
    }
    values.update(changes)
    return rules.MentorDetails(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- eligibility


def test_without_a_certificate_a_member_cannot_volunteer(ctx):
    member = factories.person("pat@example.org")
    result = rules.volunteer(member, details())
    assert result.outcome == Outcome.NOT_ELIGIBLE and "Supporting Our Own" in result.message
    assert count(MentorProfile) == 0
    # Attending another training does not count, nor being absent from Supporting Our Own.
    assert not rules.is_eligible_mentor(member.id)


def test_a_graduate_volunteers_and_their_due_certificate_is_issued(ctx):
    member = factories.person("pat@example.org")
    graduate(member)
    assert soo_certificate(member) is None  # attended, never downloaded: due, not issued
    assert rules.is_eligible_mentor(member.id)
    result = rules.volunteer(member, details(capacity=3, note="Bus routes and safety"))
    assert result.outcome == Outcome.SAVED
    profile = result.subject
    assert (profile.capacity, profile.status, profile.note) == (
        3,
        MentorStatus.ACTIVE,
        "Bus routes and safety",
    )
    assert soo_certificate(member) is not None  # staff can now see (and revoke) it
    # Volunteering again updates the one profile.
    assert rules.volunteer(member, details(capacity=1)).ok
    assert count(MentorProfile) == 1


def test_capacity_is_one_to_five(ctx):
    member = factories.person("pat@example.org")
    graduate(member)
    for bad in (0, 6, -1, None):
        result = rules.volunteer(member, details(capacity=bad))
        assert result.outcome == Outcome.INVALID and "capacity" in result.errors
    assert count(MentorProfile) == 0


def test_revoked_certificate_suspends_the_mentor(ctx):
    profile = mentor("mentor@example.org", name="Maria Mentor")
    request = mentee("mentee@example.org")
    assert [c.profile_id for c in queries.mentor_pool().candidates if c.eligible] == [profile.id]

    certificate = soo_certificate(profile.user)
    certificate_rules.revoke(certificate, admin(), "Did not attend the second day")

    assert not rules.is_eligible_mentor(profile.user_id)
    db.session.refresh(profile)
    assert rules.shown_mentor_status(profile, False) == "suspended"
    eligibility = rules.mentor_eligibility(profile.user)
    assert not eligibility.eligible and eligibility.revoked.id == certificate.id
    # Not suggested, and a confirmation is refused with nothing written.
    row = queries.queue_row(request, queries.mentor_pool().candidates)
    assert row.suggestions == []
    result = rules.confirm_match(request, profile, the_admin())
    assert result.outcome == Outcome.SUSPENDED and "suspended" in result.message
    assert count(MentoringPairing) == 0
    db.session.refresh(request)
    assert request.status == RequestStatus.OPEN
    # Resuming is refused too.
    rules.pause(profile)
    assert rules.resume(profile).outcome == Outcome.SUSPENDED


def test_a_reissued_certificate_still_counts(ctx):
    member = factories.person("pat@example.org", name="Pat Old")
    registration = graduate(member, issued=True)
    member.full_name = "Pat New"
    db.session.commit()
    certificate_rules.issue_certificate(registration)  # reissued under the new name
    assert count(Certificate) == 2
    assert rules.is_eligible_mentor(member.id)


def test_pause_resume_withdraw(ctx):
    profile = mentor("mentor@example.org")
    request = mentee("mentee@example.org")
    assert rules.pause(profile).outcome == Outcome.PAUSED
    assert queries.queue_row(request, queries.mentor_pool().candidates).suggestions == []
    refused = rules.confirm_match(request, profile, admin())
    assert refused.outcome == Outcome.UNAVAILABLE
    assert rules.resume(profile).outcome == Outcome.RESUMED
    assert rules.withdraw_as_mentor(profile).outcome == Outcome.WITHDRAWN
    assert queries.queue_row(request, queries.mentor_pool().candidates).suggestions == []
    # Volunteering again makes the profile active.
    assert rules.volunteer(profile.user, details()).ok
    db.session.refresh(profile)
    assert profile.status == MentorStatus.ACTIVE


# ---------------------------------------------------------------------------- requests


def request_details(**changes: object) -> rules.RequestDetails:
    values: dict[str, object] = {
        "job_family_id": factories.family("paraeducators").id,
        "affiliate_id": factories.affiliate("OH").id,
        "local_name": "Columbus EA",
        "started_job_on": date(2026, 1, 5),
        "help_with": "Behaviour support.",
    }
    values.update(changes)
    return rules.RequestDetails(**values)  # type: ignore[arg-type]


NOW = datetime(2026, 9, 1, 15, tzinfo=UTC)


def test_request_up_to_three_years_in_the_job(ctx):
    member = factories.person("new@example.org")
    too_long = rules.ask_for_mentor(member, request_details(started_job_on=date(2023, 8, 31)), NOW)
    assert too_long.outcome == Outcome.INVALID
    assert "up to 3 years" in too_long.errors["started_job_on"]
    future = rules.ask_for_mentor(member, request_details(started_job_on=date(2026, 9, 2)), NOW)
    assert "future" in future.errors["started_job_on"]
    blank = rules.ask_for_mentor(member, request_details(help_with="", started_job_on=None), NOW)
    assert set(blank.errors) == {"help_with", "started_job_on"}
    assert count(MentoringRequest) == 0

    exactly_three = rules.ask_for_mentor(
        member, request_details(started_job_on=date(2023, 9, 1)), NOW
    )
    assert exactly_three.outcome == Outcome.REQUESTED
    assert exactly_three.subject.started_job_on == date(2023, 9, 1)


def test_one_open_request_at_a_time_and_withdraw(ctx):
    member = factories.person("new@example.org")
    first = rules.ask_for_mentor(member, request_details(), NOW).subject
    again = rules.ask_for_mentor(member, request_details(), NOW)
    assert again.outcome == Outcome.ALREADY and count(MentoringRequest) == 1
    assert rules.withdraw_request(first, NOW).outcome == Outcome.WITHDRAWN
    assert rules.withdraw_request(first, NOW).outcome == Outcome.NOT_OPEN
    assert rules.ask_for_mentor(member, request_details(), NOW).ok
    assert count(MentoringRequest) == 2


def test_no_new_request_while_having_a_mentor(ctx):
    pairing = paired()
    result = rules.ask_for_mentor(pairing.mentee, request_details())
    assert result.outcome == Outcome.ALREADY and "already have a mentor" in result.message


# ---------------------------------------------------------------------------- matching


def test_match_pairs_for_two_years_and_notifies_both(ctx):
    pairing = paired(now=NOW)
    assert pairing.status == PairingStatus.ACTIVE
    assert (pairing.starts_on, pairing.ends_on) == (date(2026, 9, 1), date(2028, 9, 1))
    assert pairing.request.status == RequestStatus.MATCHED
    assert mail("mentoring_matched_mentor") == ["mentor@example.org"]
    assert mail("mentoring_matched_mentee") == ["mentee@example.org"]
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "mentoring_matched_mentee")
    )
    assert "Maria Mentor" in body and "mentor@example.org" in body
    assert f"/mentoring/pairings/{pairing.id}" in body
    to_mentor = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "mentoring_matched_mentor")
    )
    assert "Noah Newcomer" in to_mentor.subject
    assert "Working with my classroom teacher." in to_mentor.body_text
    assert (
        "mentee@example.org" in to_mentor.body_text and "September 1, 2028" in to_mentor.body_text
    )


def test_a_leap_day_pairing_ends_on_28_february():
    assert rules.years_after(date(2028, 2, 29), 2) == date(2030, 2, 28)


def test_match_refusals_change_nothing(ctx):
    staff = admin()
    profile = mentor("mentor@example.org", capacity=1)
    first = mentee("one@example.org")
    second = mentee("two@example.org")
    assert rules.confirm_match(first, profile, staff).ok
    full = rules.confirm_match(second, profile, staff)
    assert full.outcome == Outcome.FULL and "already mentors 1 member, as many" in full.message
    again = rules.confirm_match(first, mentor("other@example.org"), staff)
    assert again.outcome == Outcome.NOT_OPEN
    # A mentor who asked for a mentor themself is never matched with themself.
    own = rules.ask_for_mentor(
        profile.user, request_details(started_job_on=utcnow().date() - timedelta(days=10))
    ).subject
    profile.capacity = 5
    db.session.commit()
    themself = rules.confirm_match(own, profile, staff)
    assert themself.outcome == Outcome.NOT_ALLOWED
    assert count(MentoringPairing) == 1
    assert len(mail("mentoring_matched_mentor")) == 1


def test_ending_a_pairing_frees_the_mentors_place(ctx):
    staff = admin()
    profile = mentor("mentor@example.org", capacity=1)
    first = mentee("one@example.org")
    pairing = rules.confirm_match(first, profile, staff).subject
    rules.end_pairing(pairing, pairing.mentee, "Moved to another district")
    second = mentee("two@example.org")
    assert rules.confirm_match(second, profile, staff).ok


# ---------------------------------------------------------------------------- logs


def entry(**changes: object) -> LogEntry:
    values: dict[str, object] = {
        "activity": "coaching",
        "on_date": NOW.date(),
        "hours": Decimal("1.5"),
        "note": "",
    }
    values.update(changes)
    return LogEntry(**values)  # type: ignore[arg-type]


def test_bad_log_input_gets_a_clear_message_and_stores_nothing(ctx):
    pairing = paired(now=NOW - timedelta(days=10))
    member = pairing.mentor
    cases = [
        (entry(hours=Decimal("-1")), "hours", "more than 0"),
        (entry(hours=Decimal("0")), "hours", "more than 0"),
        (entry(hours=None), "hours", "Enter the hours"),
        (entry(hours=Decimal("NaN")), "hours", "Enter the hours"),
        (entry(hours=Decimal("25")), "hours", "24 or fewer"),
        (entry(hours=Decimal("1.333")), "hours", "two decimals"),
        (entry(on_date=NOW.date() + timedelta(days=1)), "on_date", "future"),
        (entry(on_date=NOW.date() - timedelta(days=11)), "on_date", "started on August 22, 2026"),
        (entry(on_date=None), "on_date", "Enter the date"),
        (entry(activity="knitting"), "activity", "Choose the kind"),
        (entry(note="x" * 501), "note", "500"),
    ]
    for bad, name, text in cases:
        result = rules.log_activity(pairing, member, bad, NOW)
        assert result.outcome == Outcome.INVALID, bad
        assert text in result.errors[name], (bad, result.errors)
    assert count(MentoringLog) == 0


def test_at_most_24_hours_a_day_counting_earlier_logs_and_other_pairings(ctx):
    staff = admin()
    profile = mentor("mentor@example.org", capacity=2, now=NOW)
    one = rules.confirm_match(mentee("one@example.org"), profile, staff, NOW).subject
    two = rules.confirm_match(mentee("two@example.org"), profile, staff, NOW).subject
    me = profile.user
    assert rules.log_activity(one, me, entry(hours=Decimal(20)), NOW).ok
    over = rules.log_activity(one, me, entry(hours=Decimal("4.25")), NOW)
    assert over.outcome == Outcome.INVALID
    assert (
        "already logged 20 hours" in over.errors["hours"] and "4 hours left" in over.errors["hours"]
    )
    # The same day in another pairing counts too.
    assert rules.log_activity(two, me, entry(hours=Decimal(5)), NOW).outcome == Outcome.INVALID
    assert rules.log_activity(two, me, entry(hours=Decimal(4)), NOW).ok
    # Another person's hours do not count against mine.
    assert rules.log_activity(one, one.mentee, entry(hours=Decimal(24)), NOW).ok
    assert count(MentoringLog) == 3


def test_only_the_two_log_and_only_while_active(ctx):
    pairing = paired(now=NOW)
    stranger = factories.person("stranger@example.org")
    result = rules.log_activity(pairing, stranger, entry(), NOW)
    assert result.outcome == Outcome.NOT_ALLOWED
    rules.end_pairing(pairing, pairing.mentor, "Changed jobs", NOW)
    ended = rules.log_activity(pairing, pairing.mentee, entry(), NOW)
    assert ended.outcome == Outcome.NOT_ACTIVE
    assert count(MentoringLog) == 0


def test_running_totals_by_type_person_and_overall(ctx):
    pairing = paired(now=NOW)
    for who, activity, hours in (
        (pairing.mentor, "coaching", "1.5"),
        (pairing.mentor, "coaching", "2"),
        (pairing.mentee, "coaching", "1"),
        (pairing.mentee, "reflective_log", "0.75"),
        (pairing.mentor, "peer_observation", "3"),
    ):
        assert rules.log_activity(
            pairing, who, entry(activity=activity, hours=Decimal(hours)), NOW
        ).ok
    totals = rules.totals(pairing)
    from esp_registry.mentoring.models import ActivityType

    assert totals.of(ActivityType.COACHING, MentoringRole.MENTOR) == Decimal("3.5")
    assert totals.of(ActivityType.COACHING, MentoringRole.MENTEE) == Decimal(1)
    assert totals.of(ActivityType.STUDY_GROUP, MentoringRole.MENTOR) == 0
    assert totals.by_role == {
        MentoringRole.MENTOR: Decimal("6.5"),
        MentoringRole.MENTEE: Decimal("1.75"),
    }
    assert totals.total == Decimal("8.25")


def test_only_the_author_removes_a_log(ctx):
    pairing = paired(now=NOW)
    log = rules.log_activity(pairing, pairing.mentor, entry(), NOW).subject
    assert rules.delete_log(log, pairing.mentee).outcome == Outcome.NOT_ALLOWED
    assert rules.delete_log(log, pairing.mentor).outcome == Outcome.DELETED
    assert count(MentoringLog) == 0


# ---------------------------------------------------------------------------- ending


def test_either_side_ends_early_with_a_reason(ctx):
    pairing = paired(now=NOW)
    refused = rules.end_pairing(pairing, pairing.mentee, "   ", NOW)
    assert refused.outcome == Outcome.INVALID and "reason" in refused.errors
    result = rules.end_pairing(
        pairing, pairing.mentee, "  Moved   to Texas ", NOW + timedelta(days=3)
    )
    assert result.outcome == Outcome.ENDED
    db.session.refresh(pairing)
    assert pairing.status == PairingStatus.ENDED
    assert pairing.closed_by_id == pairing.mentee_id and pairing.end_reason == "Moved to Texas"
    assert pairing.closed_at == NOW + timedelta(days=3)
    assert sorted(mail("mentoring_ended")) == ["mentee@example.org", "mentor@example.org"]
    assert rules.end_pairing(pairing, pairing.mentor, "again", NOW).outcome == Outcome.NOT_ACTIVE
    assert queries.pairing_certificates(pairing) == {}  # ended early: no certificates


# ---------------------------------------------------------------------------- completion


def test_completion_after_two_years_issues_a_certificate_to_each_with_their_hours(ctx):
    pairing = paired(now=NOW)
    rules.log_activity(pairing, pairing.mentor, entry(hours=Decimal("2.5")), NOW)
    rules.log_activity(
        pairing, pairing.mentor, entry(activity="study_group", hours=Decimal(1)), NOW
    )
    rules.log_activity(
        pairing, pairing.mentee, entry(activity="reflective_log", hours=Decimal("0.5")), NOW
    )

    assert rules.complete_due_pairings(datetime(2028, 8, 31, 23, tzinfo=UTC)) == 0
    assert rules.complete_due_pairings(datetime(2028, 9, 1, 1, tzinfo=UTC)) == 1
    assert rules.complete_due_pairings(datetime(2028, 9, 2, tzinfo=UTC)) == 0  # once
    db.session.expire_all()
    pairing = db.session.get(MentoringPairing, pairing.id)
    assert pairing.status == PairingStatus.COMPLETED and pairing.closed_by_id is None
    certificates = queries.pairing_certificates(pairing)
    assert certificates[MentoringRole.MENTOR].hours == Decimal("3.5")
    assert certificates[MentoringRole.MENTOR].member_name == "Maria Mentor"
    assert certificates[MentoringRole.MENTEE].hours == Decimal("0.5")
    assert sorted(mail("mentoring_completed")) == ["mentee@example.org", "mentor@example.org"]


def test_a_side_that_logged_nothing_gets_no_certificate(ctx):
    pairing = paired(now=NOW)
    rules.log_activity(pairing, pairing.mentee, entry(), NOW)
    result = rules.complete_pairing(pairing, admin(), NOW + timedelta(days=100))
    assert result.outcome == Outcome.COMPLETED
    certificates = queries.pairing_certificates(pairing)
    assert set(certificates) == {MentoringRole.MENTEE}
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "mentoring_completed",
            OutboxMessage.to_email == "mentor@example.org",
        )
    )
    assert "no certificate" in body
    assert rules.complete_pairing(pairing, the_admin(), NOW).outcome == Outcome.NOT_ACTIVE


def test_the_worker_task_completes_due_pairings(ctx):
    from esp_registry import worker

    pairing = paired(now=datetime(2020, 1, 1, tzinfo=UTC))
    rules.log_activity(
        pairing, pairing.mentee, entry(on_date=date(2020, 1, 2)), datetime(2020, 1, 3, tzinfo=UTC)
    )
    assert worker.complete_due_mentoring_pairings.call_local() == 1
    db.session.expire_all()
    assert db.session.get(MentoringPairing, pairing.id).status == PairingStatus.COMPLETED


def test_approver_scope_of_the_queue(ctx):
    oh = mentee("oh@example.org", state="OH")
    tx = mentee("tx@example.org", state="TX")
    assert [r.id for r in queries.open_requests({approver("OH").affiliate_id})] == [oh.id]
    assert {r.id for r in queries.open_requests(None)} == {oh.id, tx.id}
    assert queries.open_requests(set()) == []
