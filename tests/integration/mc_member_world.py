"""The micro-credential part of the input fuzz's world (tests/integration/test_input_fuzz.py):
pat@ has an attempt in drafting with text and a file, and a version sent and returned."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials import earning
from esp_registry.microcredentials.models import (
    AttemptStatus,
    SubmissionStatus,
    SubmittedEvidence,
)
from tests import factories
from tests import outside_files as files


def microcredential_member_world(member: User) -> dict[str, Any]:
    now = utcnow()
    stack = factories.stack("Fuzzed continuum", in_order=True)
    mc = factories.microcredential("Fuzzed evidence", files=True, stack=stack, stack_position=1)
    attempt = earning.start(member, mc, now).subject
    one, two = mc.components
    assert earning.save_evidence(attempt, one.id, "Some words", 0, now).result.ok
    assert earning.attach_file(attempt, two.id, files.pdf(), "plan.pdf", now).ok
    submission = earning.submit(attempt, member, now).subject
    submission.status = SubmissionStatus.NOT_YET  # returned: drafting again, version 1 kept
    attempt.status = AttemptStatus.DRAFTING
    db.session.commit()
    frozen = db.session.scalars(
        sa.select(SubmittedEvidence).where(SubmittedEvidence.submission_id == submission.id)
    ).all()
    return {
        "microcredential_id": mc.id,
        "stack_id": stack.id,
        "attempt_id": attempt.id,
        "component_id": one.id,
        "number": 1,
        "submitted_evidence_id": next(e.id for e in frozen if e.file_key),
        "evidence_id": earning.draft_of(attempt.id, two.id).id,
    }
