from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import Result

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.registrations.models import Registration


def test_migrations_give_exactly_the_models(ctx):
    """The `app` fixture built this database with `flask db upgrade` from empty."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (JobFamily, Affiliate, Program, User, Offering, Registration)
    }


def test_seed_reference_and_demo_are_idempotent(ctx):
    runner = ctx.test_cli_runner()
    result: Result = runner.invoke(args=["seed", "reference"])
    assert result.exit_code == 0
    reference = counts()
    assert (reference["JobFamily"], reference["Affiliate"]) == (9, 52)
    assert reference["Program"] == 7 + 9

    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output and "esp-demo-2026" in result.output
    first = counts()
    assert first["User"] >= 5 and first["Offering"] >= 6
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert runner.invoke(args=["seed", "reference"]).exit_code == 0
    assert counts() == first


def test_demo_has_what_the_walkthrough_needs(ctx):
    from esp_registry.seeding import seed_demo

    seed_demo()
    offerings = {o.title: o for o in db.session.scalars(sa.select(Offering))}
    conference = offerings["2027 NEA ESP National Conference"]
    pre = offerings["Stepping Up to the Plate (pre-conference session)"]
    assert pre.parent_id == conference.id
    assert offerings["Beat Privatization workshop (Columbus)"].host_affiliate.code == "OH"
    full = offerings["Building Winning Teams (evening webinar)"]
    confirmed = db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.offering_id == full.id, Registration.status == "confirmed"
        )
    )
    assert full.capacity == 2 and confirmed == 2
    roles = {g.role.value for u in db.session.scalars(sa.select(User)) for g in u.role_grants}
    assert roles == {"national_admin", "affiliate_approver", "facilitator", "reviewer"}


def test_demo_back_story_mail_is_marked_sent(ctx):
    from esp_registry.notifications.models import OutboxMessage, OutboxStatus
    from esp_registry.seeding import seed_demo

    seed_demo()
    statuses = set(db.session.scalars(sa.select(OutboxMessage.status)))
    assert statuses <= {OutboxStatus.SENT}
