"""LFT pages through the test client: the member's form, the approver's queue, national
review and selection, with authorization (404s) on every page, htmx action and CSV."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.lft import rules
from esp_registry.lft.models import LftApplication, LftCycle, LftEvent, LftScore, LftStatus
from esp_registry.registrations.models import Registration
from tests.integration.test_lft_world import (
    admin,
    approver,
    endorsed,
    mail,
    make_cycle,
    member,
    reviewer,
    submitted,
)

HX = {"HX-Request": "true"}


def open_cycle(**kwargs):  # type: ignore[no-untyped-def]
    return make_cycle(around=utcnow(), **kwargs)


def form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "leadership_experience": "Steward for five years.",
        "essay_why": "To grow as a leader.",
        "essay_vision": "Mentor new ESP members.",
        "years_as_esp": "6",
        "president_name": "Pat Lee",
        "president_email": "pat@local.example.org",
        "commitment": "y",
        "action": "submit",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def stored() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(LftApplication))


# ---------------------------------------------------------------------------- member


def test_member_saves_a_draft_then_submits(ctx, client, actions):
    cycle, user = open_cycle(), member()
    actions.sign_in(user.email)
    page = client.get(f"/lft/cycles/{cycle.id}/apply")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert (
        "Ohio" in text and "Up to 300 words." in text and 'hx-post="/lft/words/essay_why"' in text
    )

    saved = actions.post(f"/lft/cycles/{cycle.id}/apply", form(action="save", commitment=None))
    assert saved.status_code == 302
    assert db.session.scalar(sa.select(LftApplication.status)) == LftStatus.DRAFT
    done = actions.post(f"/lft/cycles/{cycle.id}/apply", form())
    application = db.session.scalar(sa.select(LftApplication))
    assert done.headers["Location"].endswith(f"/lft/applications/{application.id}")
    assert application.status == LftStatus.SUBMITTED
    mine = client.get(f"/lft/applications/{application.id}").get_data(as_text=True)
    assert "Submitted" in mine and "Status history" in mine
    # The text is frozen: the form now redirects to the application.
    assert client.get(f"/lft/cycles/{cycle.id}/apply").status_code == 302


def test_bad_input_gets_messages_and_stores_nothing(ctx, client, actions):
    cycle, user = open_cycle(), member()
    actions.sign_in(user.email)
    script = "<script>alert('x')</script> " + "word " * 301
    response = actions.post(
        f"/lft/cycles/{cycle.id}/apply",
        form(essay_why=script, commitment=None, president_email="not-an-email"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "keep it to 300 words or fewer" in page
    assert "Enter an e-mail address" in page
    assert stored() == 0
    missing = actions.post(f"/lft/cycles/{cycle.id}/apply", form(commitment=None))
    assert missing.status_code == 422
    assert "attend every session" in missing.get_data(as_text=True)
    assert stored() == 0
    nonsense = actions.post(f"/lft/cycles/{cycle.id}/apply", form(years_as_esp="lots"))
    assert nonsense.status_code == 422 and stored() == 0


def test_html_in_a_submitted_essay_is_shown_escaped_to_staff(ctx, client, actions):
    cycle, oh = open_cycle(), approver("OH")
    application = submitted(member(), cycle, utcnow(), essay_why="<img src=x onerror=alert(1)>")
    actions.sign_in(oh.email)
    page = client.get(f"/lft/applications/{application.id}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_live_word_count_and_autosave(ctx, client, actions):
    cycle, user = open_cycle(), member()
    actions.sign_in(user.email)
    count = actions.post("/lft/words/essay_why", {"essay_why": "one two three"}, headers=HX)
    assert count.status_code == 200
    assert "3 of 300 words" in count.get_data(as_text=True)
    over = actions.post("/lft/words/essay_why", {"essay_why": "w " * 301}, headers=HX)
    assert "too long" in over.get_data(as_text=True)
    assert actions.post("/lft/words/password", {"password": "x"}).status_code == 404
    saved = actions.post(f"/lft/cycles/{cycle.id}/autosave", form(), headers=HX)
    assert "Draft saved automatically" in saved.get_data(as_text=True)
    assert db.session.scalar(sa.select(LftApplication.status)) == LftStatus.DRAFT
    assert client.post("/lft/words/essay_why", data={"essay_why": "x"}).status_code == 400  # CSRF


def test_the_applicant_sees_no_internal_comment_and_no_pending_decision(ctx, client, actions):
    cycle, oh, boss = open_cycle(), approver("OH"), admin()
    user = member()
    application = submitted(user, cycle, utcnow())
    rules.endorse(application, oh, "Secret staff note", internal=True)
    rules.select(application, boss)
    actions.sign_in(user.email)
    page = client.get(f"/lft/applications/{application.id}").get_data(as_text=True)
    assert "Secret staff note" not in page
    assert "Selected" not in page and "Endorsed" in page
    rules.release_decisions(cycle, boss)
    page = client.get(f"/lft/applications/{application.id}").get_data(as_text=True)
    assert "Selected" in page and "Confirm my place" in page
    assert actions.post(f"/lft/applications/{application.id}/confirm").status_code == 302
    db.session.expire_all()
    assert application.status == LftStatus.ACCEPTED
    trainings = client.get("/my-trainings").get_data(as_text=True)
    assert f"Leaders for Tomorrow {cycle.year} cohort" in trainings


# ---------------------------------------------------------------------------- authorization


def test_an_ohio_approver_gets_404_for_texas(ctx, client, actions):
    cycle, oh = open_cycle(), approver("OH")
    texan = submitted(member(1, "TX"), cycle, utcnow())
    ohioan = submitted(member(2, "OH"), cycle, utcnow())
    actions.sign_in(oh.email)
    assert client.get(f"/lft/applications/{texan.id}").status_code == 404
    for action in ("endorse", "decline"):
        response = actions.post(
            f"/lft/applications/{texan.id}/{action}", {"comment": "x"}, headers=HX
        )
        assert response.status_code == 404
    queue = client.get(f"/lft/cycles/{cycle.id}/queue").get_data(as_text=True)
    assert "Applicant 2 OH" in queue and "Applicant 1 TX" not in queue
    csv = client.get(f"/lft/cycles/{cycle.id}/applications.csv").get_data(as_text=True)
    assert "Applicant 2 OH" in csv and "Applicant 1 TX" not in csv
    db.session.expire_all()
    assert texan.status == LftStatus.SUBMITTED
    # Their own member: endorsed inline, the counts come along out of band.
    done = actions.post(f"/lft/applications/{ohioan.id}/endorse", {"comment": "Yes"}, headers=HX)
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and f'id="lft-row-{ohioan.id}"' in body
    assert 'id="queue-counts" hx-swap-oob="true"' in body


def test_members_and_reviewers_cannot_reach_what_is_not_theirs(ctx, client, actions):
    cycle, oh = open_cycle(), approver("OH")
    own_user, other_user = member(1), member(2)
    other = submitted(other_user, cycle, utcnow())
    draft = rules.save_draft(own_user, cycle, rules.Answers(essay_why="mine")).application
    actions.sign_in(own_user.email)
    assert client.get(f"/lft/applications/{other.id}").status_code == 404
    assert actions.post(f"/lft/applications/{other.id}/withdraw").status_code == 404
    assert actions.post(f"/lft/applications/{other.id}/endorse").status_code == 404
    assert client.get(f"/lft/cycles/{cycle.id}/queue").status_code == 404
    assert client.get(f"/lft/cycles/{cycle.id}/review").status_code == 404
    assert client.get(f"/lft/cycles/{cycle.id}/applications.csv").status_code == 404
    assert client.get("/lft/cycles").status_code == 404
    actions.sign_out()

    judge = reviewer()
    actions.sign_in(judge.email)
    assert client.get(f"/lft/applications/{other.id}").status_code == 404  # not endorsed yet
    assert client.get(f"/lft/applications/{draft.id}").status_code == 404
    rules.endorse(other, oh)
    assert client.get(f"/lft/applications/{other.id}").status_code == 200
    assert actions.post(f"/lft/applications/{other.id}/withdraw").status_code == 404
    assert actions.post(f"/lft/applications/{other.id}/select").status_code == 404
    assert actions.post(f"/lft/applications/{other.id}/endorse").status_code == 404
    assert actions.post(f"/lft/cycles/{cycle.id}/release").status_code == 404
    assert client.get(f"/lft/cycles/{cycle.id}/release").status_code == 404
    db.session.expire_all()
    assert other.status == LftStatus.ENDORSED and other.essay_why


# ---------------------------------------------------------------------------- national


def test_a_reviewer_sees_others_scores_only_after_scoring(ctx, client, actions):
    cycle = open_cycle()
    application = endorsed(member(), cycle, approver("OH"), utcnow())
    first, second = reviewer(1), reviewer(2)
    rules.score(application, first, {c.id: 5 for c in cycle.criteria})
    actions.sign_in(second.email)
    before = client.get(f"/lft/applications/{application.id}/score").get_data(as_text=True)
    assert "Reviewer 1" not in before
    review = client.get(f"/lft/cycles/{cycle.id}/review").get_data(as_text=True)
    assert "5.00" not in review and "Score it to see" in review
    bad = actions.post(f"/lft/applications/{application.id}/score", {})
    assert bad.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LftScore)) == 3
    scores = {f"criterion_{c.id}": "3" for c in cycle.criteria}
    assert actions.post(f"/lft/applications/{application.id}/score", scores).status_code == 302
    after = client.get(f"/lft/applications/{application.id}/score").get_data(as_text=True)
    assert "Reviewer 1" in after
    review = client.get(f"/lft/cycles/{cycle.id}/review").get_data(as_text=True)
    assert "4.00" in review and "2.00" in review  # average of 5 and 3; spread 2


def test_review_list_filters_sorts_and_swaps_rows(ctx, client, actions):
    cycle, boss = open_cycle(), admin()
    now = utcnow()
    endorsed(member(1, "OH"), cycle, approver("OH"), now)
    endorsed(member(2, "TX", "transportation-services"), cycle, approver("TX"), now)
    actions.sign_in(boss.email)
    from tests import factories

    tx = factories.affiliate("TX").id
    rows = client.get(
        f"/lft/cycles/{cycle.id}/review?affiliate={tx}&sort=name",
        headers={**HX, "HX-Target": "review-rows"},
    ).get_data(as_text=True)
    assert "Applicant 2 TX" in rows and "Applicant 1 OH" not in rows and "<h1>" not in rows
    family = factories.family("paraeducators").id
    page = client.get(f"/lft/cycles/{cycle.id}/review?family={family}&sort=bogus")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Applicant 1 OH" in text and "Applicant 2 TX" not in text


def test_admin_selects_up_to_the_cohort_and_releases(ctx, client, actions):
    cycle, boss, oh = open_cycle(cohort_size=1), admin(), approver("OH")
    now = utcnow()
    first, second = (endorsed(member(n), cycle, oh, now) for n in (1, 2))
    actions.sign_in(boss.email)
    assert actions.post(f"/lft/applications/{first.id}/select").status_code == 302
    refused = actions.post(f"/lft/applications/{second.id}/select", follow_redirects=True)
    assert "The cohort is full" in refused.get_data(as_text=True)
    actions.post(f"/lft/applications/{second.id}/alternate", {"rank": "1"})
    staff_page = client.get(f"/lft/applications/{first.id}").get_data(as_text=True)
    assert "Audit trail" in staff_page and "Not yet released" in staff_page
    # The list offers the release below it; its page says what will happen, changes nothing.
    review = client.get(f"/lft/cycles/{cycle.id}/review").get_data(as_text=True)
    assert review.index('id="review-rows"') < review.index("Release all decisions…")
    confirm = client.get(f"/lft/cycles/{cycle.id}/release").get_data(as_text=True)
    assert "1 selected applicant is offered a place" in confirm
    assert "1 alternate is told their rank." in confirm
    assert "2 people will be e-mailed." in confirm
    assert 'name="csrf_token"' in confirm
    db.session.expire_all()
    assert not db.session.get(LftCycle, cycle.id).decision_released
    assert client.post(f"/lft/cycles/{cycle.id}/release").status_code == 400  # no CSRF token
    released = actions.post(f"/lft/cycles/{cycle.id}/release", follow_redirects=True)
    assert "Decisions released: 2 applicants notified." in released.get_data(as_text=True)
    again = client.get(f"/lft/cycles/{cycle.id}/release").get_data(as_text=True)
    assert "Decisions were released." in again and "Release all decisions now" not in again
    db.session.expire_all()
    assert (first.status, second.status) == (LftStatus.SELECTED, LftStatus.ALTERNATE)
    assert (
        db.session.scalar(
            sa.select(Registration.status).where(Registration.user_id == first.user_id)
        )
        == "confirmed"
    )
    csv = client.get(f"/lft/cycles/{cycle.id}/applications.csv")
    assert csv.mimetype == "text/csv" and "selected" in csv.get_data(as_text=True)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(LftEvent))
    assert events >= 8


def test_admin_creates_and_edits_a_cycle(ctx, client, actions):
    boss = admin()
    actions.sign_in(boss.email)
    assert "Leadership experience" in client.get("/lft/cycles/new").get_data(as_text=True)
    data = {
        "year": "2031",
        "opens": "2031-01-05T09:00",
        "closes": "2031-02-05T17:00",
        "review_deadline": "2031-01-01T17:00",  # before closing: refused
        "decision_date": "2031-04-01T17:00",
        "cohort_size": "20",
        "confirm_within_days": "14",
        "criteria": "Leadership: led things\nVision",
    }
    bad = actions.post("/lft/cycles/new", data)
    assert bad.status_code == 422 and "review deadline" in bad.get_data(as_text=True)
    assert client.get("/lft/cycles").get_data(as_text=True).count("2031") == 0
    data["review_deadline"] = "2031-03-01T17:00"
    assert actions.post("/lft/cycles/new", data).status_code == 302
    from esp_registry.lft.models import LftCycle

    cycle = db.session.scalar(sa.select(LftCycle))
    assert [c.name for c in cycle.criteria] == ["Leadership", "Vision"]
    assert cycle.opens_at.hour == 14  # 09:00 Eastern is 14:00 UTC in January
    edit = client.get(f"/lft/cycles/{cycle.id}/edit").get_data(as_text=True)
    assert "2031-01-05T09:00" in edit
    assert actions.post("/lft/cycles/new", data).status_code == 422  # one cycle per year


def test_review_list_and_queue_queries_do_not_grow_with_rows(ctx, client, actions):
    from tests.integration.test_query_counts import queries_for

    cycle, boss, oh = open_cycle(), admin(), approver("OH")
    now = utcnow()
    actions.sign_in(boss.email)

    def grow(start: int, count: int) -> None:
        for n in range(start, start + count):
            application = endorsed(member(n), cycle, oh, now)
            rules.score(application, boss, {c.id: 1 + n % 5 for c in cycle.criteria})

    grow(0, 2)
    review, queue = (
        queries_for(client, f"/lft/cycles/{cycle.id}/review"),
        queries_for(client, f"/lft/cycles/{cycle.id}/queue"),
    )
    grow(10, 6)
    assert queries_for(client, f"/lft/cycles/{cycle.id}/review") == review
    assert queries_for(client, f"/lft/cycles/{cycle.id}/queue") == queue


def test_the_release_page_counts_whom_the_release_e_mails(ctx, client, actions):
    """The confirmation counts what release_decisions does: an endorsed application nobody
    selected is told "not selected", and an unconfirmed address gets no e-mail."""
    cycle, boss, oh = open_cycle(cohort_size=2), admin(), approver("OH")
    now = utcnow()
    chosen, backup, passed = (endorsed(member(n), cycle, oh, now) for n in (1, 2, 3))
    assert rules.select(chosen, boss).ok and rules.name_alternate(backup, boss, 1).ok
    passed.user.email_confirmed_at = None
    db.session.commit()
    preview = rules.release_preview(cycle)
    assert (preview.selected, preview.alternates, preview.not_selected) == (1, 1, 1)
    assert (preview.applicants, preview.emailed) == (3, 2)
    actions.sign_in(boss.email)
    page = client.get(f"/lft/cycles/{cycle.id}/release").get_data(as_text=True)
    assert "2 people will be e-mailed." in page
    assert "1 applicant has not confirmed their address and gets no e-mail" in page
    before = len(mail())
    actions.post(f"/lft/cycles/{cycle.id}/release")
    assert len(mail()) - before == preview.emailed
