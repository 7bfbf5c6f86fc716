"""The demo keeps working day after day (issue 17, point 10): today's workshop moves to
now when `flask seed demo` runs again, and the README lists the accounts the seed prints."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from esp_registry import ROOT
from esp_registry.catalog.demo import refresh_todays_workshop
from esp_registry.catalog.models import Offering
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.seeding import seed_demo

TODAY = "Stepping Up to the Plate: NEA History and Governance (today)"


def todays_workshop() -> Offering:
    db.session.expire_all()
    return db.session.scalar(sa.select(Offering).where(Offering.title == TODAY))


def test_a_second_day_moves_todays_workshop_to_now_once(ctx):
    seed_demo()
    first = todays_workshop().sessions[0]
    now = utcnow()
    assert first.starts_at <= now < first.ends_at
    assert not refresh_todays_workshop(todays_workshop(), now)  # running: left alone
    tomorrow = now + timedelta(days=1, minutes=7)
    assert refresh_todays_workshop(todays_workshop(), tomorrow)
    db.session.commit()
    moved = todays_workshop()
    session = moved.sessions[0]
    assert session.starts_at <= tomorrow < session.ends_at - timedelta(hours=1)
    assert moved.registration_opens_at < tomorrow < moved.registration_closes_at
    assert not refresh_todays_workshop(moved, tomorrow + timedelta(minutes=30))  # idempotent
    # Late in the workshop a new run gives the walk-through a fresh one.
    assert refresh_todays_workshop(moved, session.ends_at - timedelta(minutes=30))


def test_the_readme_lists_the_accounts_the_demo_prints(ctx):
    printed = [account.email for account in seed_demo()]
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Demo accounts", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    listed = re.findall(r"^\| ([a-z.]+@example\.org) \|", table, re.M)
    assert listed == printed
