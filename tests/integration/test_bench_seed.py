"""`make bench` seeds its national data set in bulk (bench/seed.py): here at a tiny scale, so
a model change that the bench's rows no longer fit fails in the suite, not in a bench run,
and the rows read back as the app's own (statuses, waitlist order, certificates, sign-in)."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from flask import Flask

from bench.seed import FULL, PASSWORD, seed_world
from esp_registry.catalog.models import Offering, Session
from esp_registry.certificates.models import Certificate
from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication, LftEvent, LftStatus
from esp_registry.mentoring.models import MentoringPairing, MentoringRequest, RequestStatus
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import waitlist_positions
from tests.conftest import Actions

TINY = replace(
    FULL,
    name="tiny",
    members=400,
    offerings=14,
    conference=20,
    conference_waitlist=5,
    sheet=10,
    member_trainings=3,
    lft_applications=30,
    mentors=20,
    pairings=30,
    open_requests=10,
    locals_per_affiliate=2,
    staff_facilitators=5,
    rush_capacity=5,
    rush_members=8,
)


def count(*where: object) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(*where))


def test_the_bench_data_set_is_made_of_rows_the_app_reads_as_its_own(
    ctx: Flask, actions: Actions
) -> None:
    world = seed_world(TINY)

    conference = Registration.offering_id == world.conference_id
    assert count(conference, Registration.status == RegistrationStatus.CONFIRMED) == 20
    assert count(conference, Registration.status == RegistrationStatus.WAITLISTED) == 5
    assert sorted(waitlist_positions([world.conference_id]).values()) == [1, 2, 3, 4, 5]
    sheet = db.session.get(Session, world.sheet_session_id)
    assert count(Registration.offering_id == sheet.offering_id) == 10

    # No offering holds more confirmed members than its seats.
    over = db.session.execute(
        sa.select(Offering.id)
        .join(Registration, Registration.offering_id == Offering.id)
        .where(Registration.status == RegistrationStatus.CONFIRMED, Offering.capacity.is_not(None))
        .group_by(Offering.id, Offering.capacity)
        .having(sa.func.count() > Offering.capacity)
    ).all()
    assert over == []

    codes = db.session.scalars(sa.select(Certificate.code)).all()
    assert codes and len(set(codes)) == len(codes)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentoringPairing)) == 30
    open_requests = sa.select(sa.func.count()).where(MentoringRequest.status == RequestStatus.OPEN)
    assert db.session.scalar(open_requests) == 10

    endorsed = db.session.scalars(
        sa.select(LftApplication).where(LftApplication.status == LftStatus.ENDORSED)
    ).all()
    assert endorsed and all(a.submitted_at is not None for a in endorsed)
    last_events = {
        a.id: db.session.scalars(
            sa.select(LftEvent.to_status)
            .where(LftEvent.application_id == a.id)
            .order_by(LftEvent.at.desc(), LftEvent.id.desc())
        ).first()
        for a in endorsed
    }
    assert set(last_events.values()) == {LftStatus.ENDORSED}

    # The member signs in with the bench's password and finds their certified trainings.
    assert actions.sign_in(world.accounts["member"], PASSWORD).status_code == 302
    page = actions.client.get("/transcript")
    assert page.status_code == 200
    assert "Chapter training 3" in page.text
