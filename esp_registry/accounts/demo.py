"""Demo people for every role: a national admin, an Ohio approver, a facilitator, a
national LFT reviewer and members from several job families and states."""

from __future__ import annotations

from dataclasses import dataclass

from esp_registry.accounts.models import Role, User
from esp_registry.demo_builders import DemoAccount, demo_person


@dataclass(frozen=True)
class DemoPeople:
    admin: User
    approver: User
    facilitator: User
    reviewer: User
    member: User
    driver: User
    cook: User
    custodian: User

    def accounts(self) -> list[DemoAccount]:
        """The printed account list, in the order people try them."""
        return [
            DemoAccount(self.admin.email, self.admin.full_name, "national admin"),
            DemoAccount(self.approver.email, self.approver.full_name, "affiliate approver (Ohio)"),
            DemoAccount(self.facilitator.email, self.facilitator.full_name, "facilitator"),
            DemoAccount(self.reviewer.email, self.reviewer.full_name, "national LFT reviewer"),
            DemoAccount(self.member.email, self.member.full_name, "member (paraeducator, Ohio)"),
            DemoAccount(self.driver.email, self.driver.full_name, "member (bus driver, Texas)"),
            DemoAccount(
                self.cook.email, self.cook.full_name, "member (food services, Massachusetts)"
            ),
            DemoAccount(self.custodian.email, self.custodian.full_name, "member (custodian, Ohio)"),
        ]


def seed_accounts_demo() -> DemoPeople:
    """The demo people and their roles, added once (matched by e-mail); made in this
    order, which their ids follow."""
    return DemoPeople(
        admin=demo_person(
            "admin@example.org",
            "Dana Whitfield",
            "DC",
            "clerical-services",
            "ESP Quality Program Manager",
            "",
            ((Role.NATIONAL_ADMIN, None),),
        ),
        approver=demo_person(
            "approver.oh@example.org",
            "Luis Romero",
            "OH",
            "technical-services",
            "ESP Program Coordinator, Ohio Education Association",
            "",
            ((Role.AFFILIATE_APPROVER, "OH"),),
        ),
        facilitator=demo_person(
            "facilitator@example.org",
            "Keisha Grant",
            "MD",
            "paraeducators",
            "ESP Trainer",
            "Baltimore County ESP",
            ((Role.FACILITATOR, None),),
        ),
        member=demo_person(
            "member@example.org",
            "Maria Alvarez",
            "OH",
            "paraeducators",
            "Paraeducator",
            "Columbus Education Association",
        ),
        driver=demo_person(
            "driver@example.org",
            "James Carter",
            "TX",
            "transportation-services",
            "School Bus Driver",
            "Houston ESP",
        ),
        cook=demo_person(
            "cook@example.org",
            "Ana Pereira",
            "MA",
            "food-services",
            "Cafeteria Cook",
            "Worcester ESP",
        ),
        reviewer=demo_person(
            "reviewer@example.org",
            "Renee Holloway",
            "WI",
            "health-and-student-services",
            "School Nurse; national LFT reviewer",
            "Madison ESP",
            ((Role.REVIEWER, None),),
        ),
        custodian=demo_person(
            "custodian@example.org",
            "Tom Nguyen",
            "OH",
            "custodial-and-maintenance",
            "Head Custodian",
            "Dayton ESP",
        ),
    )
