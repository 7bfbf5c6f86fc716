"""The outside-training demo (issue 15, point 2): member@ has one approved outside training
on her transcript and one waiting in Ohio's queue with a PDF proof; a second seed adds
nothing."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.certificates.transcript import transcript_for
from esp_registry.credit.outside.models import OutsideStatus, OutsideTraining
from esp_registry.extensions import db
from esp_registry.files import storage
from esp_registry.files.checks import check_proof
from esp_registry.seeding import seed_demo
from tests.conftest import Actions


def test_demo_has_an_approved_and_a_pending_outside_training(ctx, client):
    seed_demo()
    seed_demo()  # idempotent: nothing added the second time
    member = db.session.scalar(sa.select(User).where(User.email == "member@example.org"))
    rows = db.session.scalars(
        sa.select(OutsideTraining).where(OutsideTraining.user_id == member.id)
    ).all()
    assert sorted(r.status for r in rows) == [OutsideStatus.APPROVED, OutsideStatus.PENDING]
    approved = next(r for r in rows if r.status == OutsideStatus.APPROVED)
    assert approved.decided_by.email == "approver.oh@example.org"
    assert approved.decision_note and approved.approved_hours == Decimal("6.5")
    for row in rows:
        proof = storage.open_file(row.proof_key)
        assert check_proof(proof).content_type == "application/pdf"
    transcript = transcript_for(member)
    titles = [e.outside.title for y in transcript.years for e in y.entries if e.outside]
    assert titles == ["Pediatric First Aid and CPR"]

    actions = Actions(client)
    assert actions.sign_in("approver.oh@example.org", "esp-demo-2026").status_code == 302
    queue = client.get("/credit/outside/queue").get_data(as_text=True)
    assert "Supporting Students with Autism in the Classroom" in queue
    assert "Pediatric First Aid" not in queue  # decided: not waiting
