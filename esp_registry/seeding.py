"""Loading reference data and the demo world. Both are idempotent: a second run adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry import reference_data as ref
from esp_registry.accounts.demo import seed_accounts_demo
from esp_registry.catalog.demo import seed_catalog_demo
from esp_registry.columns import utcnow
from esp_registry.credit.evaluations.demo import seed_evaluations_demo
from esp_registry.credit.outside.demo import seed_outside_demo
from esp_registry.credit.required.demo import seed_required_demo
from esp_registry.credit.units.demo import seed_units_demo
from esp_registry.demo_builders import DEMO_PASSWORD, DemoAccount
from esp_registry.extensions import db
from esp_registry.lft.demo import seed_lft_demo
from esp_registry.mentoring.demo import seed_mentoring_demo
from esp_registry.microcredentials.catalog_seed import seed_microcredential_catalog
from esp_registry.microcredentials.demo import seed_microcredentials_demo
from esp_registry.notifications.models import OutboxMessage, OutboxStatus
from esp_registry.reference.demo import seed_reference_demo
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.registrations.demo import seed_registrations_demo
from esp_registry.reports.demo import seed_reports_demo

# cli.py and the tests read the password and the demo from here.
__all__ = ["DEMO_PASSWORD", "DemoAccount", "seed_demo", "seed_reference"]


def seed_reference() -> int:
    """Job families, the 52 state affiliates and the programs; returns rows added."""
    added = 0
    families = {f.slug: f for f in db.session.scalars(sa.select(JobFamily))}
    for slug, name, description in ref.JOB_FAMILIES:
        if slug not in families:
            families[slug] = JobFamily(slug=slug, name=name, description=description)
            db.session.add(families[slug])
            added += 1
    codes = set(db.session.scalars(sa.select(Affiliate.code)))
    for code, name in ref.AFFILIATES:
        if code not in codes:
            db.session.add(Affiliate(code=code, name=name))
            added += 1
    db.session.flush()
    programs = set(db.session.scalars(sa.select(Program.slug)))
    wanted = [(slug, name, text, None) for slug, name, text in ref.PROGRAMS] + [
        (
            ref.getting_educated_slug(f.slug),
            ref.getting_educated_name(f.name),
            f"Professional development for {f.name.lower()} staff.",
            f.id,
        )
        for f in (families[slug] for slug, _n, _d in ref.JOB_FAMILIES)
    ]
    for slug, name, text, family_id in wanted:
        if slug not in programs:
            db.session.add(
                Program(
                    slug=slug,
                    name=name,
                    description=text,
                    job_family_id=family_id,
                    requires_application=slug == ref.LFT_PROGRAM_SLUG,
                )
            )
            added += 1
    db.session.flush()
    _seed_spanish_names()
    added += seed_microcredential_catalog()  # the starter catalog (PRODUCT §14)
    db.session.commit()
    return added


def spanish_names() -> list[tuple[type, str, str, str, str]]:
    """(model, key column, key, English name, Spanish name) of the seeded reference data."""
    names: list[tuple[type, str, str, str, str]] = []
    for slug, name, _d in ref.JOB_FAMILIES:
        spanish = ref.JOB_FAMILY_NAMES_ES[slug]
        names.append((JobFamily, "slug", slug, name, spanish))
        names.append(
            (
                Program,
                "slug",
                ref.getting_educated_slug(slug),
                ref.getting_educated_name(name),
                ref.getting_educated_name_es(name, spanish),
            )
        )
    for slug, name, _d in ref.PROGRAMS:
        if slug in ref.PROGRAM_NAMES_ES:
            names.append((Program, "slug", slug, name, ref.PROGRAM_NAMES_ES[slug]))
    for code, name in ref.AFFILIATES:
        if code in ref.AFFILIATE_NAMES_ES:
            names.append((Affiliate, "code", code, name, ref.AFFILIATE_NAMES_ES[code]))
    return names


def _seed_spanish_names() -> None:
    """A seeded row gets its Spanish name once, while it still has its seeded English name
    and no Spanish one (an admin's rename or translation is never overwritten)."""
    for model, key, value, name, spanish in spanish_names():
        db.session.execute(
            sa.update(model)
            .where(
                getattr(model, key) == value,
                model.name == name,  # type: ignore[attr-defined]
                model.name_es == "",  # type: ignore[attr-defined]
            )
            .values(name_es=spanish)
        )


def seed_demo() -> list[DemoAccount]:
    """Demo people for every role and a small catalog to click through."""
    seed_reference()
    outbox_before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    people = seed_accounts_demo()
    catalog = seed_catalog_demo(people.facilitator)
    seed_registrations_demo(people, catalog)
    seed_lft_demo()
    mentors = seed_mentoring_demo()
    seed_reports_demo()
    seed_units_demo()
    seed_outside_demo()
    seed_evaluations_demo()
    seed_required_demo()
    assessors = seed_microcredentials_demo()
    seed_reference_demo()  # last: the locals come from what every demo member typed
    _quiet_demo_mail(outbox_before)

    return [*people.accounts(), *mentors, *assessors]


def _quiet_demo_mail(after_id: int) -> None:
    """The e-mails the demo's back story wrote (applications received, decisions) are
    marked sent, so the worker does not print dozens of them at the first `make run`."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id > after_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error="demo data: not sent")
    )
    db.session.commit()
