"""The state machine of an LFT application, every allowed and forbidden transition, with
deadlines on an injected clock (PRODUCT §5)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from esp_registry.catalog.models import Offering
from esp_registry.extensions import db
from esp_registry.lft import rules
from esp_registry.lft.models import LftApplication, LftEvent, LftScore, LftStatus
from esp_registry.lft.rules import Outcome
from esp_registry.registrations.models import Registration
from tests.integration.test_lft_world import (
    DAY,
    GOOD,
    T0,
    admin,
    approver,
    endorsed,
    mail,
    make_cycle,
    member,
    reviewer,
    statuses,
    submitted,
)

S = LftStatus


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def trail(application: LftApplication) -> list[tuple[str | None, str]]:
    db.session.expire_all()
    return [
        (e.from_status.value if e.from_status else None, e.to_status.value)
        for e in db.session.scalars(
            sa.select(LftEvent)
            .where(LftEvent.application_id == application.id)
            .order_by(LftEvent.at, LftEvent.id)
        )
    ]


# ---------------------------------------------------------------------------- applying


def test_draft_then_submit_freezes_the_text_and_notifies(ctx):
    cycle, user = make_cycle(), member()
    draft = rules.save_draft(user, cycle, replace(GOOD, commitment=False), now=T0)
    assert draft.outcome == Outcome.SAVED and draft.application.status == S.DRAFT
    again = rules.save_draft(user, cycle, replace(GOOD, essay_why="Changed my mind."), now=T0)
    assert again.application.id == draft.application.id  # one application per member and cycle
    result = rules.submit(user, cycle, GOOD, now=T0 + DAY)
    assert result.outcome == Outcome.SUBMITTED
    application = result.application
    assert application.submitted_at == T0 + DAY
    assert application.affiliate.code == "OH" and application.job_family.slug == "paraeducators"
    assert mail() == [(user.email, "lft_submitted")]

    frozen = rules.save_draft(user, cycle, replace(GOOD, essay_why="Edited later."), now=T0)
    assert frozen.outcome == Outcome.FROZEN
    assert rules.submit(user, cycle, GOOD, now=T0).outcome == Outcome.FROZEN
    db.session.expire_all()
    assert application.essay_why == GOOD.essay_why
    assert trail(application) == [(None, "draft"), ("draft", "submitted")]


@pytest.mark.parametrize(
    ("when", "outcome"), [(-11, Outcome.NOT_OPEN), (20, Outcome.CLOSED), (25, Outcome.CLOSED)]
)
def test_outside_the_window_nothing_is_saved(ctx, when, outcome):
    cycle, user = make_cycle(), member()
    assert rules.save_draft(user, cycle, GOOD, now=T0 + when * DAY).outcome == outcome
    late = rules.submit(user, cycle, GOOD, now=T0 + when * DAY)
    assert late.outcome == outcome and not late.ok
    assert "2027" in late.message or outcome == Outcome.NOT_OPEN
    assert count(LftApplication) == 0 and mail() == []


def test_a_draft_cannot_be_submitted_once_the_cycle_closed(ctx):
    cycle, user = make_cycle(), member()
    rules.save_draft(user, cycle, GOOD, now=T0)
    assert rules.submit(user, cycle, GOOD, now=cycle.closes_at).outcome == Outcome.CLOSED
    assert statuses(cycle) == {user.email: S.DRAFT}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"essay_why": "word " * 301}, "essay_why"),
        ({"essay_vision": "word " * 501}, "essay_vision"),
        ({"leadership_experience": ""}, "leadership_experience"),
        ({"commitment": False}, "commitment"),
        ({"president_email": ""}, "president_email"),
        ({"president_name": "  "}, "president_name"),
        ({"years_as_esp": None}, "years_as_esp"),
    ],
)
def test_incomplete_or_too_long_submissions_store_nothing(ctx, change, field):
    cycle, user = make_cycle(), member()
    result = rules.submit(user, cycle, replace(GOOD, **change), now=T0)
    assert result.outcome == Outcome.INVALID and field in result.errors
    assert count(LftApplication) == 0 and count(LftEvent) == 0 and mail() == []


def test_word_limits_hold_for_drafts_too(ctx):
    cycle, user = make_cycle(), member()
    result = rules.save_draft(user, cycle, replace(GOOD, essay_why="word " * 301), now=T0)
    assert result.outcome == Outcome.INVALID
    assert result.errors["essay_why"].startswith("301 words")
    assert count(LftApplication) == 0
    # 300 words exactly is fine; an incomplete draft is fine.
    ok = rules.save_draft(user, cycle, rules.Answers(essay_why="word " * 300), now=T0)
    assert ok.outcome == Outcome.SAVED


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.ENDORSED])
def test_withdraw_before_a_decision(ctx, status):
    cycle, user = make_cycle(), member()
    approver()
    if status == S.DRAFT:
        application = rules.save_draft(user, cycle, GOOD, now=T0).application
    elif status == S.SUBMITTED:
        application = submitted(user, cycle)
    else:
        application = endorsed(user, cycle)
    assert rules.withdraw(application, now=T0 + 2 * DAY).outcome == Outcome.WITHDRAWN
    assert statuses(cycle) == {user.email: S.WITHDRAWN}
    assert trail(application)[-1] == (status.value, "withdrawn")
    assert rules.withdraw(application, now=T0 + 3 * DAY).outcome == Outcome.NOT_ALLOWED


# ---------------------------------------------------------------------------- affiliate


def test_endorse_and_decline_before_the_review_deadline(ctx):
    cycle, oh = make_cycle(), approver("OH")
    first, second, third = (submitted(member(n), cycle) for n in (1, 2, 3))
    assert rules.endorse(first, oh, "Great", now=T0 + DAY).outcome == Outcome.ENDORSED
    no_reason = rules.decline(second, oh, "  ", now=T0 + DAY)
    assert no_reason.outcome == Outcome.INVALID and "comment" in no_reason.errors
    declined = rules.decline(second, oh, "Apply next year.", internal=False, now=T0 + DAY)
    assert declined.outcome == Outcome.DECLINED
    late = rules.endorse(third, oh, now=cycle.review_deadline)
    assert late.outcome == Outcome.TOO_LATE
    assert rules.decline(third, oh, "x", now=cycle.review_deadline).outcome == Outcome.TOO_LATE
    # Decided ones cannot be decided again.
    assert rules.endorse(second, oh, now=T0 + DAY).outcome == Outcome.NOT_ALLOWED
    assert rules.decline(first, oh, "no", now=T0 + DAY).outcome == Outcome.NOT_ALLOWED
    assert [kind for _to, kind in mail() if kind != "lft_submitted"] == [
        "lft_endorsed",
        "lft_declined",
    ]
    declined_mail = db.session.scalar(
        sa.text("SELECT body_text FROM outbox_messages WHERE kind = 'lft_declined'")
    )
    assert "Apply next year." in declined_mail
    assert trail(second)[-1] == ("submitted", "declined")


def test_an_internal_decline_comment_is_not_mailed(ctx):
    cycle, oh = make_cycle(), approver("OH")
    application = submitted(member(), cycle)
    rules.decline(application, oh, "Staff-only: conflict at the local.", internal=True, now=T0)
    body = db.session.scalar(
        sa.text("SELECT body_text FROM outbox_messages WHERE kind = 'lft_declined'")
    )
    assert "conflict" not in body


def test_drafts_cannot_be_endorsed(ctx):
    cycle, oh = make_cycle(), approver("OH")
    draft = rules.save_draft(member(), cycle, GOOD, now=T0).application
    assert rules.endorse(draft, oh, now=T0).outcome == Outcome.NOT_ALLOWED


def test_the_endorsement_cap_counts_per_affiliate(ctx):
    cycle = make_cycle(cap=2)
    oh, tx = approver("OH"), approver("TX")
    ohio = [submitted(member(n, "OH"), cycle) for n in range(3)]
    texas = submitted(member(9, "TX"), cycle)
    assert [rules.endorse(a, oh, now=T0).outcome for a in ohio] == [
        Outcome.ENDORSED,
        Outcome.ENDORSED,
        Outcome.CAP_REACHED,
    ]
    assert rules.endorse(texas, tx, now=T0).outcome == Outcome.ENDORSED
    # A withdrawn endorsement frees its place under the cap.
    rules.withdraw(ohio[0], now=T0)
    assert rules.endorse(ohio[2], oh, now=T0).outcome == Outcome.ENDORSED


# ---------------------------------------------------------------------------- national


def test_scores_need_every_criterion_from_one_to_five(ctx):
    cycle, oh = make_cycle(), approver("OH")
    application = endorsed(member(), cycle, oh)
    judge = reviewer()
    ids = [c.id for c in cycle.criteria]
    bad = rules.score(application, judge, {ids[0]: 6, ids[1]: 0, ids[2]: None}, now=T0)
    assert bad.outcome == Outcome.INVALID and len(bad.errors) == 3
    assert count(LftScore) == 0
    assert not rules.has_scored(application, judge)
    assert rules.score(application, judge, dict.fromkeys(ids, 4), now=T0).ok
    assert rules.has_scored(application, judge)
    assert rules.score(application, judge, dict.fromkeys(ids, 5), now=T0).ok  # revised
    assert count(LftScore) == 3


def test_only_reviewers_score_and_only_endorsed_applications(ctx):
    cycle, oh = make_cycle(), approver("OH")
    ids = [c.id for c in cycle.criteria]
    waiting = submitted(member(1), cycle)
    assert rules.score(waiting, reviewer(), dict.fromkeys(ids, 3)).outcome == Outcome.NOT_ALLOWED
    application = endorsed(member(2), cycle, oh)
    assert rules.score(application, oh, dict.fromkeys(ids, 3)).outcome == Outcome.NOT_ALLOWED
    assert rules.score(application, admin(), dict.fromkeys(ids, 3)).ok  # admins review too


def test_selection_holds_the_cohort_size_and_releases_all_at_once(ctx):
    cycle, oh, boss = make_cycle(cohort_size=2), approver("OH"), admin()
    apps = [endorsed(member(n), cycle, oh) for n in range(5)]
    declined = submitted(member(9), cycle)
    rules.decline(declined, oh, "Not this year", now=T0)
    assert rules.select(apps[0], boss, now=T0).outcome == Outcome.SELECTED
    assert rules.select(apps[1], boss, now=T0).outcome == Outcome.SELECTED
    assert rules.select(apps[2], boss, now=T0).outcome == Outcome.COHORT_FULL  # the 3rd of 2
    assert rules.name_alternate(apps[3], boss, now=T0).outcome == Outcome.ALTERNATE
    assert rules.name_alternate(apps[2], boss, rank=1, now=T0).outcome == Outcome.ALTERNATE
    db.session.expire_all()
    assert (apps[2].alternate_rank, apps[3].alternate_rank) == (1, 2)
    assert rules.select(declined, boss, now=T0).outcome == Outcome.NOT_ALLOWED
    before = len(mail())

    result = rules.release_decisions(cycle, boss, now=T0 + 50 * DAY)
    assert result.outcome == Outcome.RELEASED
    after = statuses(cycle)
    assert [after[a.user.email] for a in apps] == [
        S.SELECTED,
        S.SELECTED,
        S.ALTERNATE,
        S.ALTERNATE,
        S.NOT_SELECTED,
    ]
    kinds = sorted(kind for _to, kind in mail()[before:])
    assert kinds == ["lft_alternate"] * 2 + ["lft_not_selected"] + ["lft_selected"] * 2
    offering = db.session.get(Offering, cycle.offering_id)
    assert offering.program.slug == "leaders-for-tomorrow" and offering.capacity == 2
    confirmed = db.session.scalars(
        sa.select(Registration.user_id).where(
            Registration.offering_id == offering.id, Registration.status == "confirmed"
        )
    ).all()
    assert sorted(confirmed) == sorted([apps[0].user_id, apps[1].user_id])
    assert apps[0].confirm_by == T0 + 64 * DAY
    # Released is final: no second release, no more selection changes.
    assert rules.release_decisions(cycle, boss).outcome == Outcome.NOT_ALLOWED
    assert rules.reset_decision(apps[0], boss).outcome == Outcome.NOT_ALLOWED


def test_reset_and_reranking_alternates(ctx):
    cycle, oh, boss = make_cycle(), approver("OH"), admin()
    a, b, c = (endorsed(member(n), cycle, oh) for n in range(3))
    for application in (a, b, c):
        rules.name_alternate(application, boss, now=T0)
    rules.name_alternate(c, boss, rank=1, now=T0)  # move within the ranking
    db.session.expire_all()
    assert [x.alternate_rank for x in (a, b, c)] == [2, 3, 1]
    rules.reset_decision(a, boss, now=T0)
    db.session.expire_all()
    assert (a.status, a.alternate_rank, b.alternate_rank, c.alternate_rank) == (
        S.ENDORSED,
        None,
        2,
        1,
    )
    assert trail(c).count(("endorsed", "alternate")) == 1


def released(cohort: int = 1, alternates: int = 2):  # type: ignore[no-untyped-def]
    cycle, oh, boss = make_cycle(cohort_size=cohort), approver("OH"), admin()
    chosen = [endorsed(member(n), cycle, oh) for n in range(cohort)]
    backups = [endorsed(member(10 + n), cycle, oh) for n in range(alternates)]
    for application in chosen:
        rules.select(application, boss, now=T0)
    for application in backups:
        rules.name_alternate(application, boss, now=T0)
    rules.release_decisions(cycle, boss, now=T0 + 50 * DAY)
    db.session.expire_all()
    return cycle, chosen, backups


def test_a_selected_member_confirms_in_time(ctx):
    _cycle, (chosen,), _ = released()
    assert rules.confirm_place(chosen, now=chosen.confirm_by).outcome == Outcome.TOO_LATE
    assert rules.confirm_place(chosen, now=T0 + 51 * DAY).outcome == Outcome.ACCEPTED
    assert rules.confirm_place(chosen, now=T0 + 51 * DAY).outcome == Outcome.NOT_ALLOWED
    assert rules.withdraw(chosen).outcome == Outcome.NOT_ALLOWED
    assert rules.lapse_unconfirmed(now=T0 + 100 * DAY) == 0


def test_a_refused_place_goes_to_the_first_alternate(ctx):
    cycle, (chosen,), (first, second) = released()
    mails = len(mail())
    assert rules.refuse_place(chosen, "Family reasons", now=T0 + 51 * DAY).ok
    after = statuses(cycle)
    assert after[chosen.user.email] == S.REFUSED
    assert after[first.user.email] == S.SELECTED and after[second.user.email] == S.ALTERNATE
    assert second.alternate_rank == 1
    assert first.confirm_by == T0 + 65 * DAY
    assert mail()[mails:] == [(first.user.email, "lft_selected")]
    places = dict(
        db.session.execute(
            sa.select(Registration.user_id, Registration.status).where(
                Registration.offering_id == cycle.offering_id
            )
        ).all()
    )
    assert places == {chosen.user_id: "cancelled", first.user_id: "confirmed"}
    assert trail(first)[-1] == ("alternate", "selected")


def test_an_unconfirmed_place_lapses_to_the_next_alternate(ctx):
    cycle, (chosen,), (first, second) = released()
    assert rules.lapse_unconfirmed(now=chosen.confirm_by - DAY) == 0
    assert rules.lapse_unconfirmed(now=chosen.confirm_by) == 1
    assert statuses(cycle)[first.user.email] == S.SELECTED
    # The alternate lets it lapse too; the last alternate gets it; then nobody is left.
    assert rules.lapse_unconfirmed(now=first.confirm_by) == 1
    assert statuses(cycle)[second.user.email] == S.SELECTED
    assert rules.lapse_unconfirmed(now=T0 + 1000 * DAY) == 1
    final = statuses(cycle)
    assert list(final.values()).count(S.REFUSED) == 3
    event = db.session.scalars(
        sa.select(LftEvent).where(LftEvent.application_id == chosen.id).order_by(LftEvent.id)
    ).all()[-1]
    assert event.actor_id is None and event.to_status == S.REFUSED


def test_an_alternate_may_withdraw_after_release(ctx):
    _cycle, _chosen, (first, second) = released()
    assert rules.withdraw(first, now=T0 + 51 * DAY).outcome == Outcome.WITHDRAWN
    db.session.expire_all()
    assert second.alternate_rank == 1
