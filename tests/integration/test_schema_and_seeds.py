from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import Result
from flask_migrate import downgrade, upgrade

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.registrations.models import Registration
from tests.conftest import make_test_app


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
    assert roles == {"national_admin", "affiliate_approver", "facilitator", "reviewer", "assessor"}


def test_demo_back_story_mail_is_marked_sent(ctx):
    from esp_registry.notifications.models import OutboxMessage, OutboxStatus
    from esp_registry.seeding import seed_demo

    seed_demo()
    statuses = set(db.session.scalars(sa.select(OutboxMessage.status)))
    assert statuses <= {OutboxStatus.SENT}


def test_migration_0012_seeds_locals_from_what_members_typed(app, tmp_path):
    """Upgrading a database of 0011 turns each (affiliate, local) members, mentors and
    requests typed into one active local (spaces around ignored, duplicates once)."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if url.get_backend_name() == "sqlite":
        fresh = f"sqlite:///{tmp_path / 'at-0011.db'}"
    else:
        name = f"esp_mig_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        fresh = url.set(database=name).render_as_string(hide_password=False)
    try:
        old = make_test_app(fresh)
        with old.app_context():
            upgrade(revision="0011")
            conn = db.session.connection()
            for code, state in (("OH", "Ohio"), ("TX", "Texas")):
                conn.execute(
                    sa.text("INSERT INTO affiliates (code, name) VALUES (:c, :n)"),
                    {"c": code, "n": state},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO job_families (slug, name, description)"
                    " VALUES ('paraeducators', 'Paraeducators', '')"
                )
            )
            ids = dict(conn.execute(sa.text("SELECT code, id FROM affiliates")).all())
            family = conn.execute(sa.text("SELECT id FROM job_families")).scalar_one()
            users = db.metadata.tables["users"]
            typed = [
                ("OH", "Columbus EA"),
                ("OH", " Columbus EA "),
                ("OH", ""),
                ("TX", "Columbus EA"),
            ]
            for n, (code, local) in enumerate(typed):
                conn.execute(
                    users.insert().values(
                        email=f"m{n}@example.org", password_hash="x", full_name=f"M {n}",
                        affiliate_id=ids[code], job_family_id=family, local_name=local,
                    )
                )  # fmt: skip
            db.session.commit()
            upgrade()
            rows = db.session.execute(
                sa.text(
                    "SELECT a.code, l.name, l.active FROM locals l"
                    " JOIN affiliates a ON a.id = l.affiliate_id ORDER BY a.code, l.name"
                )
            ).all()
            assert [tuple(r) for r in rows] == [
                ("OH", "Columbus EA", True),
                ("TX", "Columbus EA", True),
            ]
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def test_migration_0016_renames_paraeducators_professionals(app, tmp_path):
    """Upgrading a database of 0013 renames "Getting Educated: Paraeducators Professionals"
    (a family named for its people) and keeps "Food Services Professionals"; downgrading
    gives the old name back."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if url.get_backend_name() == "sqlite":
        fresh = f"sqlite:///{tmp_path / 'at-0013.db'}"
    else:
        name = f"esp_mig_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        fresh = url.set(database=name).render_as_string(hide_password=False)
    try:
        old = make_test_app(fresh)
        with old.app_context():
            upgrade(revision="0013")
            conn = db.session.connection()
            for slug, family in (("paraeducators", "Paraeducators"), ("food", "Food Services")):
                family_id = conn.execute(
                    sa.text(
                        "INSERT INTO job_families (slug, name, description, page_text)"
                        " VALUES (:s, :n, '', '') RETURNING id"
                    ),
                    {"s": slug, "n": family},
                ).scalar_one()
                conn.execute(
                    sa.text(
                        "INSERT INTO programs (slug, name, description, job_family_id,"
                        " requires_application) VALUES (:s, :n, '', :f, :no)"
                    ),
                    {"s": f"ge-{slug}", "n": f"Getting Educated: {family} Professionals",
                     "f": family_id, "no": False},
                )  # fmt: skip
            db.session.commit()
            upgrade()
            names = "SELECT name, name_es FROM programs ORDER BY slug"
            assert [tuple(r) for r in db.session.execute(sa.text(names))] == [
                ("Getting Educated: Food Services Professionals", ""),
                ("Getting Educated: Paraeducators", ""),
            ]
            db.session.commit()
            downgrade(revision="0013")
            back = db.session.scalars(sa.text("SELECT name FROM programs ORDER BY slug")).all()
            assert back == [
                "Getting Educated: Food Services Professionals",
                "Getting Educated: Paraeducators Professionals",
            ]
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
