"""Demo registrations: a full webinar with a waitlist, an approval waiting in Ohio, the
conference and its sessions, and a past training two members attended."""

from __future__ import annotations

from esp_registry.accounts.demo import DemoPeople
from esp_registry.catalog.demo import DemoCatalog
from esp_registry.demo_builders import demo_registration, mark_present
from esp_registry.extensions import db
from esp_registry.registrations.models import RegistrationStatus


def seed_registrations_demo(people: DemoPeople, catalog: DemoCatalog) -> None:
    """Registrations and attendance of the demo people, added once."""
    demo_registration(people.driver, catalog.full)
    demo_registration(people.cook, catalog.full)
    demo_registration(people.custodian, catalog.full, RegistrationStatus.WAITLISTED)
    demo_registration(people.custodian, catalog.certification, RegistrationStatus.PENDING_APPROVAL)
    demo_registration(people.member, catalog.pre_beat)
    demo_registration(people.custodian, catalog.beat)
    demo_registration(people.member, catalog.conference)
    for person in (people.member, people.cook):
        mark_present(
            demo_registration(person, catalog.past), catalog.past.sessions[0], people.facilitator
        )
    demo_registration(people.custodian, catalog.past)  # registered, did not attend
    db.session.commit()
