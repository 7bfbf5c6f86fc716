"""The scoring form under any input (issue 16, point 5): choices no one offers, feedback and
comments past their columns, NUL bytes, missing and extra fields — never a 500; a refusal
stores no score, and scores stored are whole (every criterion, feedback for each Not yet)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esp_registry.accounts.models import Role
from esp_registry.extensions import db
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Score,
    SubmissionStatus,
)
from tests import factories
from tests.conftest import Actions, csrf_token
from tests.integration.test_mc_assessment import criteria_ids, submitted

CHOICE = st.one_of(
    st.sampled_from(["met", "not_yet", "", "MET", "yes", "met\x00", "not_yet " * 300]),
    st.text(max_size=10),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["x" * 2001, "\u3042" * 2001, "\u00e9" * 2000, " ", "\x00", "a\x00b"]),
)


@pytest.fixture
def scoring(ctx):  # type: ignore[no-untyped-def]
    assessor = factories.person(
        "a@example.org", name="Ann Assessor", roles=((Role.ASSESSOR, None),)
    )
    mc = factories.microcredential(components=2, criteria=1)
    actions = Actions(ctx.test_client())
    assert actions.sign_in("a@example.org").status_code == 302
    return {"assessor": assessor, "mc": mc, "ids": criteria_ids(mc), "client": actions.client}


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_scoring_form_never_fails_and_stores_whole_scores_or_none(scoring, data):
    n = db.session.scalar(sa.select(sa.func.count(Assessment.id)))
    member = factories.person(f"m{n}@example.org", name=f"Member {n}")
    submission = submitted(member, scoring["mc"])
    submission.status = SubmissionStatus.ASSESSING
    found = Assessment(
        submission_id=submission.id, assessor_id=scoring["assessor"].id, role=AssessorRole.FIRST
    )
    db.session.add(found)
    db.session.commit()
    payload: dict[str, str] = {}
    for cid in scoring["ids"]:
        if data.draw(st.booleans(), label=f"has c{cid}"):
            payload[f"c{cid}"] = data.draw(CHOICE, label=f"c{cid}")
        payload[f"f{cid}"] = data.draw(TEXT, label=f"f{cid}")
    payload["comment"] = data.draw(TEXT, label="comment")
    if data.draw(st.booleans(), label="extra field"):
        payload["c999999"] = "met"
    client = scoring["client"]
    payload["csrf_token"] = csrf_token(client)
    response = client.post(f"/microcredentials/assess/assessments/{found.id}", data=payload)
    assert response.status_code < 500
    db.session.expire_all()
    scores = list(db.session.scalars(sa.select(Score).where(Score.assessment_id == found.id)))
    stored = db.session.get(Assessment, found.id)
    if response.status_code >= 400:
        assert scores == [] and stored.completed_at is None
    else:
        assert stored.completed_at is not None
        assert {s.criterion_id for s in scores} == set(scoring["ids"])
        assert all(s.met or s.feedback.strip() for s in scores)
        assert all(len(s.feedback) <= 2000 and "\x00" not in s.feedback for s in scores)
