"""Reference data editable by national admins (issue 12, point 6): programs, job families,
affiliates and locals — rename, merge, deactivate — without breaking history; every change
audited; national admins only; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.catalog.models import OfferingStatus
from esp_registry.certificates.models import Certificate
from esp_registry.extensions import db
from esp_registry.mentoring.models import MentoringRequest, MentorProfile
from esp_registry.reference import rules
from esp_registry.reference.models import (
    Affiliate,
    JobFamily,
    Local,
    Program,
    ReferenceAction,
    ReferenceEvent,
    ReferenceKind,
)
from esp_registry.seeding import seed_demo
from tests import factories
from tests.conftest import Actions
from tests.integration.test_certificates import attended
from tests.integration.test_query_counts import queries_for


@pytest.fixture
def world(ctx, kept_reference):  # type: ignore[no-untyped-def]
    admin = factories.person(
        "admin@example.org", name="Ada Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    ohio = factories.person(
        "oh@example.org", name="Olga Approver", roles=((Role.AFFILIATE_APPROVER, "OH"),)
    )
    member = factories.person("pat@example.org", name="Pat Ohio")
    oh = factories.affiliate("OH")
    first = Local(affiliate_id=oh.id, name="Columbus EA")
    second = Local(affiliate_id=oh.id, name="Columbus Education Association")
    db.session.add_all([first, second])
    db.session.commit()
    return {"admin": admin, "ohio": ohio, "member": member, "ea": first, "cea": second, "oh": oh}


def signed_in(ctx, email: str) -> Actions:  # type: ignore[no-untyped-def]
    actions = Actions(ctx.test_client())
    assert actions.sign_in(email).status_code == 302
    return actions


def program(slug: str) -> Program:
    return db.session.scalar(sa.select(Program).where(Program.slug == slug))


def events(kind: ReferenceKind) -> list[ReferenceEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ReferenceEvent).where(ReferenceEvent.kind == kind)))


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def reference_urls(world) -> list[str]:  # type: ignore[no-untyped-def]
    p, f = program("beat-privatization"), factories.family("paraeducators")
    a, local = world["oh"], world["ea"]
    return [
        "/admin/reference",
        f"/admin/reference/programs/{p.id}",
        f"/admin/reference/job-families/{f.id}",
        f"/admin/reference/affiliates/{a.id}",
        f"/admin/reference/locals/{local.id}",
    ]


def test_only_national_admins_reach_reference_data(ctx, world):
    """An Ohio approver and a member get 404 on every reference URL, GET and POST alike;
    nothing changes. Signed out, the pages ask to sign in first."""
    posts = [
        *reference_urls(world)[1:],
        f"/admin/reference/affiliates/{world['oh'].id}/locals",
        f"/admin/reference/locals/{world['ea'].id}/merge",
        f"/admin/reference/locals/{world['ea'].id}/deactivate",
        f"/admin/reference/locals/{world['ea'].id}/reactivate",
    ]
    for email in ("oh@example.org", "pat@example.org"):
        person = signed_in(ctx, email)
        for url in reference_urls(world):
            assert person.client.get(url).status_code == 404, (email, url)
        for url in posts:
            response = person.post(url, {"name": "Taken Over", "into": world["cea"].id})
            assert response.status_code == 404, (email, url)
        assert "Reference data" not in page_text(person.client.get("/"))
    assert ctx.test_client().get("/admin/reference").status_code == 302
    assert events(ReferenceKind.LOCAL) == [] and events(ReferenceKind.PROGRAM) == []
    db.session.expire_all()
    assert db.session.get(Local, world["ea"].id).active
    assert program("beat-privatization").name.startswith("Beat Privatization")

    admin = signed_in(ctx, "admin@example.org")
    home = page_text(admin.client.get("/"))
    assert 'href="/admin/reference"' in home and "Reference data" in home
    for url in reference_urls(world):
        assert admin.client.get(url).status_code == 200, url


def test_renaming_a_program_keeps_its_offerings_and_certificates(ctx, world):
    """Offerings refer to their program by id: after a rename the offering still shows
    (under the new name on the catalog), and an issued certificate still verifies with
    the name it printed."""
    registration = attended()
    member = Actions(ctx.test_client())
    member.sign_in("rosa@example.org")
    member.client.get(f"/registrations/{registration.id}/certificate.pdf")
    code = db.session.scalar(sa.select(Certificate.code))
    upcoming = factories.offering("Beat Privatization (spring)")

    beat = program("beat-privatization")
    admin = signed_in(ctx, "admin@example.org")
    response = admin.post(
        f"/admin/reference/programs/{beat.id}",
        {"name": "  Beat Privatization:   Act Now ", "description": "Organise before it starts."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert program("beat-privatization").name == "Beat Privatization: Act Now"
    offering_page = page_text(ctx.test_client().get(f"/offerings/{upcoming.id}"))
    assert "Beat Privatization (spring)" in offering_page
    assert "Beat Privatization (spring)" in page_text(ctx.test_client().get("/"))
    verify = ctx.test_client().get(f"/verify/{code}")
    assert verify.status_code == 200
    assert "Rosa Delgado" in page_text(verify) and "valid certificate" in page_text(verify)

    [event] = events(ReferenceKind.PROGRAM)
    assert event.actor_id == world["admin"].id and event.action == ReferenceAction.EDITED
    assert event.changes["name"][1] == "Beat Privatization: Act Now"
    history = page_text(admin.client.get(f"/admin/reference/programs/{beat.id}"))
    assert "Beat Privatization: Act Now" in history and "by Ada Admin" in history


def test_a_program_may_need_an_application(ctx, world):
    lft = program("leaders-for-tomorrow")
    assert lft.requires_application  # the seed marks Leaders for Tomorrow
    beat = program("beat-privatization")
    result = rules.edit_program(
        world["admin"], beat, name=beat.name, description=beat.description,
        requires_application=True,
    )  # fmt: skip
    assert result.ok
    db.session.expire_all()
    assert program("beat-privatization").requires_application
    assert events(ReferenceKind.PROGRAM)[0].changes == {"requires_application": [False, True]}
    # Saving without a change records nothing.
    again = rules.edit_program(
        world["admin"], beat, name=beat.name, description=beat.description,
        requires_application=True,
    )  # fmt: skip
    assert again.ok and len(events(ReferenceKind.PROGRAM)) == 1


def test_job_family_text_shows_on_its_catalog_page(ctx, world):
    family = factories.family("food-services")
    admin = signed_in(ctx, "admin@example.org")
    response = admin.post(
        f"/admin/reference/job-families/{family.id}",
        {
            "name": "Food and Nutrition Services",
            "description": "Cooks and nutrition staff.",
            "page_text": "First paragraph.\r\n\r\nSecond paragraph.",
        },
    )
    assert response.status_code == 302
    page = page_text(ctx.test_client().get("/job-families/food-services"))
    assert "Getting Educated: Food and Nutrition Services Professionals" in page
    assert "Cooks and nutrition staff." in page
    assert '<p class="page-text">First paragraph.</p>' in page
    assert '<p class="page-text">Second paragraph.</p>' in page
    [event] = events(ReferenceKind.JOB_FAMILY)
    assert set(event.changes) == {"name", "description", "page_text"}
    # Its "Getting Educated" program follows the new name (and says so in its history).
    getting_educated = program("getting-educated-food-services")
    assert getting_educated.name == "Getting Educated: Food and Nutrition Services Professionals"
    [renamed] = events(ReferenceKind.PROGRAM)
    assert renamed.subject_id == getting_educated.id and renamed.actor_id == world["admin"].id


def test_renaming_an_affiliate_shows_everywhere(ctx, world):
    admin = signed_in(ctx, "admin@example.org")
    oh = world["oh"]
    assert (
        admin.post(f"/admin/reference/affiliates/{oh.id}", {"name": "Ohio EA"}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(User, world["member"].id).affiliate.name == "Ohio EA"
    page = page_text(admin.client.get(f"/admin/reference/affiliates/{oh.id}"))
    assert "affiliate edited" in page and "“Ohio”" in page and "“Ohio EA”" in page


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("program", {"name": ""}, "Enter a title."),
        ("program", {"name": "x" * 161}, "Enter 160 characters or fewer."),
        ("program", {"name": "nea esp national conference"}, "Another program is already called"),
        ("program", {"name": "Fine", "description": "x" * 4001}, "Enter 4000 characters or fewer."),
        ("job_family", {"name": "   "}, "Enter a name."),
        ("job_family", {"name": "é" * 81}, "Enter 80 characters or fewer."),
        ("job_family", {"name": "FOOD SERVICES"}, "Another job family is already called"),
        (
            "job_family",
            {"name": "Fine", "page_text": "x" * 8001},
            "Enter 8000 characters or fewer.",
        ),
        ("affiliate", {"name": ""}, "Enter a name."),
        ("affiliate", {"name": "x" * 81}, "Enter 80 characters or fewer."),
        ("affiliate", {"name": "texas"}, "Another affiliate is already called"),
        ("add_local", {"name": ""}, "Enter the name of the local."),
        ("add_local", {"name": "x" * 121}, "Enter 120 characters or fewer."),
        ("add_local", {"name": "columbus ea"}, "already has a local called"),
        ("local", {"name": ""}, "Enter the name of the local."),
        ("local", {"name": "x" * 121}, "Enter 120 characters or fewer."),
        ("local", {"name": "Columbus Education Association"}, "merge the two instead"),
        ("merge", {"into": "0"}, "Choose the local to merge into."),
        ("merge", {"into": "not a number"}, "Choose the local to merge into."),
        ("merge", {"into": "999999"}, "Choose the local to merge into from the list."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(
    ctx, world, kind, data, message
):
    """Every form answers bad input with 422 and the message by its field; over-long
    names are refused by the form (not a database error on PostgreSQL)."""
    oh, ea = world["oh"], world["ea"]
    urls = {
        "program": f"/admin/reference/programs/{program('beat-privatization').id}",
        "job_family": f"/admin/reference/job-families/{factories.family('paraeducators').id}",
        "affiliate": f"/admin/reference/affiliates/{oh.id}",
        "add_local": f"/admin/reference/affiliates/{oh.id}/locals",
        "local": f"/admin/reference/locals/{ea.id}",
        "merge": f"/admin/reference/locals/{ea.id}/merge",
    }
    before = {
        t.name: sorted(map(tuple, db.session.execute(sa.select(t))))
        for t in (Program.__table__, JobFamily.__table__, Affiliate.__table__, Local.__table__)
    }
    admin = signed_in(ctx, "admin@example.org")
    response = admin.post(urls[kind], data)
    assert response.status_code == 422
    body = page_text(response)
    hidden_prefix = '<span class="visually-hidden">Error: </span>'
    error = re.search(rf'<p class="error" id="[\w-]+-error">{hidden_prefix}([^<]*)</p>', body)
    assert error and message in error.group(1).replace("&#34;", '"'), body[-3000:]
    db.session.expire_all()
    after = {
        t.name: sorted(map(tuple, db.session.execute(sa.select(t))))
        for t in (Program.__table__, JobFamily.__table__, Affiliate.__table__, Local.__table__)
    }
    assert after == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferenceEvent)) == 0


def test_merging_two_locals_moves_everyone_and_deactivates_the_source(ctx, world):
    """Merging A into B renames A to B for the members, mentors and mentoring requests of
    that affiliate (and no other), and deactivates A, in one transaction."""
    oh, tx = world["oh"], factories.affiliate("TX")
    typed_ea = factories.bulk_people("ea", 3)
    for user in typed_ea:
        user.local_name = "Columbus EA "
    texan = factories.person("tex@example.org", state="TX")
    texan.local_name = "Columbus EA"  # same words, another affiliate: not touched
    world["member"].local_name = "Columbus Education Association"
    profile = MentorProfile(
        user_id=typed_ea[0].id, job_family_id=typed_ea[0].job_family_id,
        affiliate_id=oh.id, local_name="Columbus EA", capacity=1,
    )  # fmt: skip
    request = MentoringRequest(
        user_id=typed_ea[1].id, job_family_id=typed_ea[1].job_family_id,
        affiliate_id=oh.id, local_name="Columbus EA", help_with="Starting out",
        started_job_on=date(2026, 1, 5),
    )  # fmt: skip
    db.session.add_all([profile, request])
    db.session.commit()

    admin = signed_in(ctx, "admin@example.org")
    local_page = page_text(admin.client.get(f"/admin/reference/locals/{world['ea'].id}"))
    assert "Columbus Education Association" in local_page  # offered as the merge target
    response = admin.post(
        f"/admin/reference/locals/{world['ea'].id}/merge", {"into": world["cea"].id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    ohioans = db.session.scalars(sa.select(User).where(User.affiliate_id == oh.id))
    assert {u.local_name for u in ohioans} == {"Columbus Education Association", "Test Local"}
    assert db.session.get(User, texan.id).local_name == "Columbus EA"
    assert db.session.get(MentorProfile, profile.id).local_name == "Columbus Education Association"
    assert db.session.get(MentoringRequest, request.id).local_name == (
        "Columbus Education Association"
    )
    # The key mentoring suggestions compare locals by follows the new name.
    assert {
        db.session.get(MentorProfile, profile.id).local_key,
        db.session.get(MentoringRequest, request.id).local_key,
    } == {"columbus education association"}
    assert not db.session.get(Local, world["ea"].id).active
    assert rules.active_locals(oh.id) == ["Columbus Education Association"]
    assert tx.id != oh.id
    [event] = events(ReferenceKind.LOCAL)
    assert event.action == ReferenceAction.MERGED and event.changes["members"] == [None, 3]
    history = page_text(admin.client.get(f"/admin/reference/affiliates/{oh.id}"))
    assert "merged into" in history and "by Ada Admin" in history

    # Merged again from a stale tab: told so, nothing changes.
    again = admin.post(f"/admin/reference/locals/{world['ea'].id}/merge", {"into": world["cea"].id})
    assert again.status_code == 302
    told = page_text(admin.client.get(again.headers["Location"]))
    assert "is already deactivated" in told
    assert len(events(ReferenceKind.LOCAL)) == 1
    # Without the CSRF token nothing is even tried.
    forged = admin.client.post(f"/admin/reference/locals/{world['cea'].id}/deactivate", data={})
    assert forged.status_code == 400 and db.session.get(Local, world["cea"].id).active
    # A deactivated local is neither merged again nor a merge target.
    assert not rules.merge_locals(world["admin"], world["ea"], world["cea"]).ok
    assert not rules.merge_locals(world["admin"], world["cea"], world["ea"]).ok


def test_a_merge_that_fails_halfway_changes_nothing(ctx, world, monkeypatch):
    world["member"].local_name = "Columbus EA"
    db.session.commit()
    original = db.session.commit

    def fail() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        rules.merge_locals(world["admin"], world["ea"], world["cea"])
    monkeypatch.setattr(db.session, "commit", original)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(User, world["member"].id).local_name == "Columbus EA"
    assert db.session.get(Local, world["ea"].id).active


def test_renaming_a_local_renames_what_members_typed(ctx, world):
    world["member"].local_name = "Columbus EA"
    db.session.commit()
    admin = signed_in(ctx, "admin@example.org")
    response = admin.post(f"/admin/reference/locals/{world['ea'].id}", {"name": "Columbus EA 12"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world["member"].id).local_name == "Columbus EA 12"
    assert db.session.get(Local, world["ea"].id).name == "Columbus EA 12"
    page = page_text(admin.client.get(f"/admin/reference/locals/{world['ea'].id}"))
    assert "local renamed: “Columbus EA” → “Columbus EA 12”" in page


def test_add_deactivate_and_reactivate_a_local(ctx, world):
    admin = signed_in(ctx, "admin@example.org")
    oh = world["oh"]
    assert (
        admin.post(f"/admin/reference/affiliates/{oh.id}/locals", {"name": "Akron EA"}).status_code
        == 302
    )
    akron = db.session.scalar(sa.select(Local).where(Local.name == "Akron EA"))
    assert akron.active and "Akron EA" in rules.active_locals(oh.id)
    admin.post(f"/admin/reference/locals/{akron.id}/deactivate")
    assert "Akron EA" not in rules.active_locals(oh.id)
    admin.post(f"/admin/reference/locals/{akron.id}/reactivate")
    assert "Akron EA" in rules.active_locals(oh.id)
    actions = [e.action for e in sorted(events(ReferenceKind.LOCAL), key=lambda e: e.id)]
    assert actions == [
        ReferenceAction.ADDED,
        ReferenceAction.DEACTIVATED,
        ReferenceAction.REACTIVATED,
    ]


def test_locals_are_paged_and_searchable(ctx, world):
    oh = world["oh"]
    db.session.add_all(Local(affiliate_id=oh.id, name=f"Local {n:03}") for n in range(120))
    db.session.commit()
    admin = signed_in(ctx, "admin@example.org")
    first = page_text(admin.client.get(f"/admin/reference/affiliates/{oh.id}"))
    assert "1\u201350 of 122" in first and "Local 047" in first and "Local 099" not in first
    third = page_text(admin.client.get(f"/admin/reference/affiliates/{oh.id}?page=3"))
    assert "101\u2013122 of 122" in third and "Local 119" in third
    found = page_text(admin.client.get(f"/admin/reference/affiliates/{oh.id}?q=local+11"))
    assert (
        "of 10" in found
        and "Local 110" in found
        and "Columbus" not in found.split('<h2 id="locals">')[1].split("History")[0]
    )
    assert admin.client.get(f"/admin/reference/affiliates/{oh.id}?page=x").status_code == 200


def test_sign_up_and_my_account_suggest_the_affiliates_active_locals(ctx, world):
    world["ea"].active = False
    texas = factories.affiliate("TX")
    db.session.add(Local(affiliate_id=texas.id, name="Houston ESP"))
    db.session.commit()
    member = signed_in(ctx, "pat@example.org")
    account = page_text(member.client.get("/account"))
    assert 'list="local-options"' in account
    options = re.search(r'<datalist id="local-options">(.*?)</datalist>', account).group(1)
    assert "Columbus Education Association" in options
    assert 'Columbus EA"' not in options and "Houston ESP" not in options
    # htmx asks again when the affiliate changes; no affiliate, no suggestions.
    texan = page_text(ctx.test_client().get(f"/locals?affiliate_id={texas.id}"))
    assert "Houston ESP" in texan and "Columbus" not in texan
    for typed in ("x", "99999999999", "-1"):  # never a database error, also on PostgreSQL
        answer = ctx.test_client().get(f"/locals?affiliate_id={typed}")
        assert answer.status_code == 200 and "<option" not in page_text(answer)
    sign_up = page_text(ctx.test_client().get("/signup"))
    assert (
        'list="local-options"' in sign_up and '<datalist id="local-options"></datalist>' in sign_up
    )


def test_demo_locals_come_from_what_people_typed(ctx):
    seed_demo()
    ohio = factories.affiliate("OH")
    names = rules.active_locals(ohio.id)
    assert "Columbus Education Association" in names and "Columbus EA" in names
    seed_demo()
    assert rules.active_locals(ohio.id) == names


def test_reference_pages_speak_spanish(ctx, world):
    admin = signed_in(ctx, "admin@example.org")
    admin.client.get("/?lang=es")
    local = page_text(admin.client.get(f"/admin/reference/locals/{world['ea'].id}"))
    assert "Datos de referencia" in local and "Fusionar con otra asociación local" in local
    response = admin.post(f"/admin/reference/affiliates/{world['oh'].id}", {"name": "Texas"})
    assert response.status_code == 422
    assert "Ya existe otro afiliado llamado “Texas”." in page_text(response)


def test_reference_pages_do_not_grow_in_queries_with_locals_or_history(ctx, world):
    oh = world["oh"]
    admin = signed_in(ctx, "admin@example.org")
    rules.rename_local(world["admin"], world["ea"], "Columbus EA 1")
    url = f"/admin/reference/affiliates/{oh.id}"
    few = queries_for(admin.client, url)
    few_local = queries_for(admin.client, f"/admin/reference/locals/{world['ea'].id}")
    db.session.add_all(Local(affiliate_id=oh.id, name=f"Local {n:03}") for n in range(80))
    db.session.commit()
    for n in range(10):
        rules.rename_local(world["admin"], world["ea"], f"Columbus EA {n + 2}")
    assert queries_for(admin.client, url) == few
    assert queries_for(admin.client, f"/admin/reference/locals/{world['ea'].id}") == few_local
    assert queries_for(admin.client, "/admin/reference") <= 8


def test_a_programs_default_contact_hours_fill_in_a_new_session(ctx, world):
    beat = program("beat-privatization")
    admin = signed_in(ctx, "admin@example.org")
    url = f"/admin/reference/programs/{beat.id}"
    refused = admin.post(url, {"name": beat.name, "default_contact_hours": "25"})
    assert refused.status_code == 422 and "between 0 and 24" in page_text(refused)
    assert admin.post(url, {"name": beat.name, "default_contact_hours": "²"}).status_code == 422
    assert admin.post(url, {"name": beat.name, "default_contact_hours": "2,5"}).status_code == 302
    db.session.expire_all()
    assert program("beat-privatization").default_contact_hours == Decimal("2.5")
    [event] = events(ReferenceKind.PROGRAM)
    assert event.changes["default_contact_hours"] == [None, "2.5"]
    draft = factories.offering("Planned", status=OfferingStatus.DRAFT, host="OH")
    manage = admin.client.get(f"/manage/offerings/{draft.id}").get_data(as_text=True)
    found = re.search(r'<input[^>]*name="contact_hours"[^>]*>', manage)
    assert found and 'value="2.50"' in found.group(0), found


def test_spanish_names_are_edited_with_the_rest_and_shown_to_spanish_readers(ctx, world):
    family = factories.family("food-services")
    admin = signed_in(ctx, "admin@example.org")
    form = admin.client.get(f"/admin/reference/job-families/{family.id}").get_data(as_text=True)
    assert 'name="name_es"' in form and 'value="Servicios de Alimentación"' in form
    response = admin.post(
        f"/admin/reference/job-families/{family.id}",
        {
            "name": family.name,
            "name_es": "Nutrición Escolar",
            "description": family.description,
            "page_text": family.page_text,
        },
    )
    assert response.status_code == 302
    [event] = events(ReferenceKind.JOB_FAMILY)
    assert event.changes == {"name_es": ["Servicios de Alimentación", "Nutrición Escolar"]}
    assert "name in Spanish" in page_text(
        admin.client.get(f"/admin/reference/job-families/{family.id}")
    )
    # Its Getting Educated program's Spanish name follows, as its English name does.
    assert program("getting-educated-food-services").name_es == (
        "Getting Educated: profesionales de Nutrición Escolar"
    )
    reader = ctx.test_client()
    spanish = page_text(reader.get("/job-families/food-services?lang=es"))
    assert "Getting Educated: profesionales de Nutrición Escolar" in spanish
    assert "Food Services" not in spanish
    english = page_text(reader.get("/job-families/food-services?lang=en"))
    assert "<h1>Getting Educated: Food Services Professionals</h1>" in english
    # An affiliate's Spanish name, and a rule called without one keeps it.
    oh = world["oh"]
    assert (
        admin.post(
            f"/admin/reference/affiliates/{oh.id}", {"name": "Ohio", "name_es": "Ohío"}
        ).status_code
        == 302
    )
    assert rules.edit_affiliate(world["admin"], oh, name="Ohio").ok
    db.session.expire_all()
    assert db.session.get(Affiliate, oh.id).name_es == "Ohío"
    assert "Ohío" in page_text(reader.get("/?lang=es"))
