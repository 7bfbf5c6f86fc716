"""Any input to the mentoring forms gets a page, never a 500, and writes all or nothing."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentorProfile,
)
from tests.integration.mentoring_world import paired

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

values = st.one_of(
    st.text(max_size=300),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just(""),
    st.sampled_from(
        [
            "1",
            "5",
            "0.25",
            "-0",
            "24",
            "24.01",
            "1e999",
            "NaN",
            "Infinity",
            "1,5",
            "2026-01-05",
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "coaching",
            "reflective_log",
            "x" * 2001,
        ]
    ),
)


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (MentorProfile, MentoringRequest, MentoringPairing, MentoringLog)
    )


def world(actions) -> MentoringPairing:  # type: ignore[no-untyped-def]
    """Once per test (hypothesis runs many examples in one database): a pairing whose
    mentor is signed in; the mentor may also volunteer again and ask for a mentor."""
    existing = db.session.scalar(sa.select(MentoringPairing))
    if existing is not None:
        return existing
    pairing = paired()
    actions.sign_in("mentor@example.org")
    return pairing


def expect_all_or_nothing(response, before: tuple[int, ...], grows: int | None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 302, 400, 422), response.status_code
    after = counts()
    if response.status_code == 302 and grows is not None:
        assert after[grows] in (before[grows], before[grows] + 1)
        assert after[:grows] + after[grows + 1 :] == before[:grows] + before[grows + 1 :]
    else:
        assert after == before


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(["job_family_id", "affiliate_id", "local_name", "capacity", "note"]),
        values,
    )
)
def test_mentor_form_fuzz(client, actions, fields):
    world(actions)
    before = counts()
    response = actions.post("/mentoring/mentor", fields)
    expect_all_or_nothing(response, before, 0)


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(
            ["job_family_id", "affiliate_id", "local_name", "started_job_on", "help_with"]
        ),
        values,
    )
)
def test_request_form_fuzz(client, actions, fields):
    world(actions)
    before = counts()
    response = actions.post("/mentoring/request", fields)
    if response.status_code == 302:
        # One open request at most: withdraw it so the next example may ask again.
        request = db.session.scalar(
            sa.select(MentoringRequest).where(MentoringRequest.status == "open")
        )
        if request is not None:
            actions.post(f"/mentoring/requests/{request.id}/withdraw")
    expect_all_or_nothing(response, before, 1)


@FUZZ
@given(
    fields=st.dictionaries(st.sampled_from(["activity", "on_date", "hours", "note"]), values),
    htmx=st.booleans(),
)
def test_log_form_fuzz(client, actions, fields, htmx):
    pairing = world(actions)
    before = counts()
    headers = {"HX-Request": "true"} if htmx else {}
    response = actions.post(f"/mentoring/pairings/{pairing.id}/logs", fields, headers=headers)
    expect_all_or_nothing(response, before, 3)
    mentor = db.session.scalar(sa.select(User).where(User.email == "mentor@example.org"))
    # The day rule holds whatever was accepted.
    per_day = db.session.execute(
        sa.select(MentoringLog.on_date, sa.func.sum(MentoringLog.hours))
        .where(MentoringLog.user_id == mentor.id)
        .group_by(MentoringLog.on_date)
    ).all()
    assert all(0 < total <= 24 for _day, total in per_day)


@FUZZ
@given(reason=values)
def test_end_form_fuzz(client, actions, reason):
    pairing = world(actions)
    response = actions.post(f"/mentoring/pairings/{pairing.id}/end", {"reason": reason})
    assert response.status_code in (302, 400, 422)
    db.session.expire_all()
    ended = db.session.get(MentoringPairing, pairing.id)
    assert (ended.status.value == "ended") == bool(ended.end_reason)
    if ended.status.value == "ended":
        assert ended.closed_at is not None and ended.closed_by_id is not None
        # Active again for the next example.
        ended.status, ended.closed_at, ended.closed_by_id, ended.end_reason = (
            "active",
            None,
            None,
            "",
        )
        db.session.commit()
