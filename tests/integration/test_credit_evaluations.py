"""Post-training evaluations (issue 15, point 3): set-up, answering once, the certificate
waiting for a required evaluation, anonymity and the 5-answer threshold."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esp_registry.accounts.models import Role
from esp_registry.credit.evaluations import rules
from esp_registry.credit.evaluations.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationReceipt,
    QuestionKind,
)
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration
from tests import factories
from tests.conftest import Actions
from tests.integration.test_query_counts import queries_for
from tests.integration.test_transcript import training

PAST = datetime(2026, 3, 5, 15, tzinfo=UTC)


def staff():  # type: ignore[no-untyped-def]
    admin = factories.person(
        "admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    fac = factories.person(
        "fac@example.org", name="Fay Cilitator", roles=((Role.FACILITATOR, None),)
    )
    return admin, fac


def evaluated(required: bool = True, title: str = "Safety on the bus", members: int = 1):  # type: ignore[no-untyped-def]
    """An ended training with an evaluation, attended by `members` members (rosa first)."""
    admin, fac = staff()
    rosa = factories.person("rosa@example.org", name="Rosa Delgado")
    offering = training(rosa, fac, title, PAST, "3")
    for i in range(1, members):
        other = factories.person(f"m{i}@example.org", name=f"Member {i}")
        reg = Registration(user_id=other.id, offering_id=offering.id, status="confirmed")
        db.session.add(reg)
        db.session.commit()
        from esp_registry.attendance import rules as attendance_rules
        from esp_registry.attendance.models import AttendanceStatus

        attendance_rules.mark(
            offering.sessions[0],
            reg,
            AttendanceStatus.PRESENT,
            fac,
            now=offering.sessions[0].starts_at,
        )
    result = rules.save_evaluation(offering, rules.default_questions(), required, admin)
    assert result.ok, result.message
    return offering, result.subject


def registration_of(email: str, offering) -> Registration:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        sa.select(Registration)
        .join(Registration.user)
        .where(Registration.offering_id == offering.id, sa.text("users.email = :e"))
        .params(e=email)
    )


def good_answers(evaluation: Evaluation, rating: int = 4, text: str = "Useful") -> dict[str, str]:
    data = {}
    for q in evaluation.questions:
        data[f"q{q.id}"] = str(rating) if q.kind == QuestionKind.RATING else text
    return data


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


# ---------------------------------------------------------------------------- gating


def test_a_required_evaluation_gates_the_certificate_until_answered(ctx, client):
    offering, evaluation = evaluated(required=True)
    registration = registration_of("rosa@example.org", offering)
    actions = Actions(client)
    actions.sign_in("rosa@example.org")

    mine = page(client, "/my-trainings")
    assert "Answer the short evaluation to get your certificate" in mine
    assert "Download certificate" not in mine
    assert "Safety on the bus" not in page(client, "/transcript")

    refused = client.get(f"/registrations/{registration.id}/certificate.pdf")
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith(f"/evaluations/registrations/{registration.id}")
    answer_page = page(client, refused.headers["Location"])
    assert "Answer the short evaluation to get your certificate." in answer_page  # the flash
    assert "anonymous" in answer_page

    sent = actions.post(f"/evaluations/registrations/{registration.id}", good_answers(evaluation))
    assert sent.status_code == 302
    mine = page(client, "/my-trainings")
    assert "Thank you for answering the evaluation." in mine
    assert "Download certificate" in mine
    assert "Answer the" not in mine
    pdf = client.get(f"/registrations/{registration.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Safety on the bus" in page(client, "/transcript")


def test_an_optional_evaluation_is_offered_beside_the_certificate(ctx, client):
    offering, _evaluation = evaluated(required=False)
    registration = registration_of("rosa@example.org", offering)
    Actions(client).sign_in("rosa@example.org")
    mine = page(client, "/my-trainings")
    assert "Download certificate" in mine
    assert "Answer the evaluation" in mine
    assert "to get your certificate" not in mine
    assert client.get(f"/registrations/{registration.id}/certificate.pdf").status_code == 200


def test_a_program_evaluation_applies_and_an_offering_one_replaces_it(ctx):
    admin, fac = staff()
    rosa = factories.person("rosa@example.org", name="Rosa Delgado")
    offering = training(rosa, fac, "Safety on the bus", PAST, "3")
    program_evaluation = rules.save_evaluation(
        offering.program, rules.default_questions(), True, admin
    ).subject
    registration = registration_of("rosa@example.org", offering)
    state = rules.evaluation_states([registration.id])[registration.id]
    assert state == rules.EvaluationState(program_evaluation.id, True, False)
    own = rules.save_evaluation(
        offering, [rules.QuestionDraft(QuestionKind.TEXT, "Anything else?")], False, admin
    ).subject
    assert rules.evaluation_states([registration.id])[registration.id].evaluation_id == own.id
    assert rules.owed(rules.evaluation_states([registration.id])) == set()
    assert rules.evaluation_for(offering).id == own.id


# ---------------------------------------------------------------------------- answering


def test_a_second_submission_is_refused_politely_and_stores_nothing(ctx, client):
    offering, evaluation = evaluated()
    registration = registration_of("rosa@example.org", offering)
    actions = Actions(client)
    actions.sign_in("rosa@example.org")
    url = f"/evaluations/registrations/{registration.id}"
    assert actions.post(url, good_answers(evaluation)).status_code == 302
    answers = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationAnswer))
    again = actions.post(url, good_answers(evaluation, rating=1), follow_redirects=True)
    assert "You have already answered this evaluation. Thank you!" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationAnswer)) == answers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationReceipt)) == 1
    # The rule itself, as two racing requests would reach it:
    db.session.expire_all()
    result = rules.submit_answers(
        registration, evaluation, {q.id: 3 for q in evaluation.questions}, {}
    )
    assert not result.ok and "already answered" in result.message


def test_a_missing_rating_shows_the_error_summary_and_stores_nothing(ctx, client):
    offering, evaluation = evaluated()
    registration = registration_of("rosa@example.org", offering)
    actions = Actions(client)
    actions.sign_in("rosa@example.org")
    data = good_answers(evaluation)
    first_rating = next(q for q in evaluation.questions if q.kind == QuestionKind.RATING)
    del data[f"q{first_rating.id}"]
    response = actions.post(f"/evaluations/registrations/{registration.id}", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Choose a rating from 1 to 5: How useful" in html
    assert f'href="#q{first_rating.id}-0"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationReceipt)) == 0


def test_no_answer_before_the_training_ends(ctx, client):
    admin, fac = staff()
    rosa = factories.person("rosa@example.org", name="Rosa Delgado")
    offering = training(rosa, fac, "Later", datetime.now(UTC) + timedelta(days=3))
    rules.save_evaluation(offering, rules.default_questions(), True, admin)
    registration = registration_of("rosa@example.org", offering)
    Actions(client).sign_in("rosa@example.org")
    text = page(client, f"/evaluations/registrations/{registration.id}")
    assert "once the training has ended" in text
    assert "Send my answers" not in text


# ---------------------------------------------------------------------------- anonymity


def test_no_column_links_an_answer_to_a_member(ctx):
    inspector = sa.inspect(db.engine)
    answer_columns = {c["name"]: c for c in inspector.get_columns("evaluation_answers")}
    assert set(answer_columns) == {"id", "offering_id", "question_id", "rating", "text"}
    assert not any(isinstance(c["type"], sa.DateTime | sa.Date) for c in answer_columns.values())
    targets = {fk["referred_table"] for fk in inspector.get_foreign_keys("evaluation_answers")}
    assert targets == {"offerings", "evaluation_questions"}
    receipt_columns = {c["name"] for c in inspector.get_columns("evaluation_receipts")}
    assert receipt_columns == {"registration_id", "evaluation_id"}  # no time to match on


def test_answer_ids_are_random_not_in_the_order_people_answered(ctx, client):
    offering, evaluation = evaluated(members=6)
    for i in range(6):
        email = "rosa@example.org" if i == 0 else f"m{i}@example.org"
        registration = registration_of(email, offering)
        rules.submit_answers(
            registration, evaluation, {q.id: 1 + i % 5 for q in evaluation.questions}, {}
        )
    ids = list(db.session.scalars(sa.select(EvaluationAnswer.id)))
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


# ---------------------------------------------------------------------------- threshold


def answer_as(offering, evaluation, email: str, rating: int, text: str) -> None:  # type: ignore[no-untyped-def]
    registration = registration_of(email, offering)
    ratings = {q.id: rating for q in evaluation.questions if q.kind == QuestionKind.RATING}
    texts = {q.id: text for q in evaluation.questions if q.kind == QuestionKind.TEXT}
    assert rules.submit_answers(registration, evaluation, ratings, texts).ok


def test_results_appear_from_five_answers(ctx, client):
    offering, evaluation = evaluated(members=5)
    emails = ["rosa@example.org"] + [f"m{i}@example.org" for i in range(1, 5)]
    for email, rating in zip(emails[:4], (5, 4, 4, 3), strict=True):
        answer_as(offering, evaluation, email, rating, f"Said by {email}")
    Actions(client).sign_in("fac@example.org")
    url = f"/evaluations/offerings/{offering.id}/results"
    four = page(client, url)
    assert "Results appear once 5 people have answered (4 so far)." in four
    assert "Mean" not in four and "Said by" not in four
    answer_as(offering, evaluation, emails[4], 2, "Said by the fifth")
    five = page(client, url)
    assert "5 people answered." in five
    assert "Mean: 3.6 out of 5" in five  # (5 + 4 + 4 + 3 + 2) / 5
    assert five.count("Said by") == 10  # 5 answers to each of the 2 free-text questions
    assert page(client, url) == five  # a stable order


# ---------------------------------------------------------------------------- access


def test_another_members_registration_is_404(ctx, client):
    offering, _evaluation = evaluated(members=2)
    other = registration_of("m1@example.org", offering)
    Actions(client).sign_in("rosa@example.org")
    assert client.get(f"/evaluations/registrations/{other.id}").status_code == 404
    assert Actions(client).post(f"/evaluations/registrations/{other.id}", {}).status_code == 404


def test_a_facilitator_of_another_offering_sees_404(ctx, client):
    offering, _evaluation = evaluated()
    factories.person("fac2@example.org", name="Other Fac", roles=((Role.FACILITATOR, None),))
    actions = Actions(client)
    actions.sign_in("fac2@example.org")
    assert client.get(f"/evaluations/offerings/{offering.id}/results").status_code == 404
    assert client.get(f"/evaluations/offerings/{offering.id}/setup").status_code == 404
    assert client.get("/evaluations/").status_code == 200  # their own (empty) list


def test_set_up_is_for_admins_and_the_offerings_managers(ctx, client):
    offering, _evaluation = evaluated(title="Ohio training")  # hosted by OH
    factories.person("approver.tx@example.org", roles=((Role.AFFILIATE_APPROVER, "TX"),))
    factories.person("approver.oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    actions = Actions(client)
    actions.sign_in("approver.tx@example.org")
    assert client.get(f"/evaluations/offerings/{offering.id}/setup").status_code == 404
    actions.sign_out()
    actions.sign_in("approver.oh@example.org")
    assert client.get(f"/evaluations/offerings/{offering.id}/setup").status_code == 200
    assert client.get(f"/evaluations/programs/{offering.program_id}/setup").status_code == 404
    actions.sign_out()
    actions.sign_in("rosa@example.org")
    assert client.get("/evaluations/").status_code == 404


# ---------------------------------------------------------------------------- set-up


def setup_data(drafts, required: bool) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {"required_for_certificate": "y"} if required else {}
    for n, d in enumerate(drafts):
        data |= {
            f"questions-{n}-kind": d.kind.value,
            f"questions-{n}-prompt": d.prompt,
            f"questions-{n}-low_label": d.low_label,
            f"questions-{n}-high_label": d.high_label,
        }
    return data


def test_staff_start_from_the_default_questions_and_save(ctx, client):
    _admin, _fac = staff()
    program = factories.offering("Any", host="OH").program
    actions = Actions(client)
    actions.sign_in("admin@example.org")
    url = f"/evaluations/programs/{program.id}/setup"
    form = client.get(url).get_data(as_text=True)
    assert 'value="How useful was this training for your job?"' in form
    extra = rules.QuestionDraft(QuestionKind.TEXT, "Tell us more")
    drafts = [*rules.default_questions()[:2], extra]
    assert actions.post(url, setup_data(drafts, True)).status_code == 302
    saved = db.session.scalar(sa.select(Evaluation).where(Evaluation.program_id == program.id))
    assert saved.required_for_certificate
    assert [q.prompt for q in saved.questions] == [d.prompt for d in drafts]
    # A rating question without labels is refused, nothing changes.
    bad = setup_data([rules.QuestionDraft(QuestionKind.RATING, "Labels?")], False)
    response = actions.post(url, bad)
    assert response.status_code == 422
    assert "Give both ends of every rating question a label." in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Evaluation, saved.id).questions) == 3


def test_questions_are_locked_once_answered_but_required_may_change(ctx):
    offering, evaluation = evaluated(required=True)
    admin = db.session.scalar(sa.text("SELECT id FROM users WHERE email = 'admin@example.org'"))
    from esp_registry.accounts.models import User

    admin = db.session.get(User, admin)
    answer_as(offering, evaluation, "rosa@example.org", 4, "ok")
    changed = rules.save_evaluation(offering, rules.default_questions()[:1], True, admin)
    assert not changed.ok and "cannot change" in changed.message
    relaxed = rules.save_evaluation(offering, rules.default_questions(), False, admin)
    assert relaxed.ok and not relaxed.subject.required_for_certificate


# ---------------------------------------------------------------------------- fuzz

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXTS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "0", "6", "-1", "٣", "1e9", "x" * 2001, "\u3042" * 201]),
)


@FUZZ
@given(data=st.data())
def test_fuzz_the_answer_form(ctx, data):
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)):
        evaluated()
    offering = db.session.scalar(sa.select(Evaluation)).offering
    evaluation = rules.evaluation_for(offering)
    registration = registration_of("rosa@example.org", offering)
    client = ctx.test_client()
    actions = Actions(client)
    actions.sign_in("rosa@example.org")
    names = [f"q{q.id}" for q in evaluation.questions] + ["q0", "other"]
    fields = data.draw(st.dictionaries(st.sampled_from(names), TEXTS, max_size=6))
    receipts = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationReceipt))
    answers = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationAnswer))
    response = actions.post(f"/evaluations/registrations/{registration.id}", fields)
    assert response.status_code < 500
    now_receipts = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationReceipt))
    now_answers = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationAnswer))
    if response.status_code == 302 and now_receipts > receipts:
        assert now_answers > answers  # all of it, never half
        db.session.execute(sa.delete(EvaluationAnswer))
        db.session.execute(sa.delete(EvaluationReceipt))
        db.session.commit()
    else:
        assert (now_receipts, now_answers) == (receipts, answers)


@FUZZ
@given(data=st.data())
def test_fuzz_the_set_up_form(ctx, data):
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)):
        evaluated()
    offering = db.session.scalar(sa.select(Evaluation)).offering
    client = ctx.test_client()
    actions = Actions(client)
    actions.sign_in("admin@example.org")
    row = st.sampled_from(["0", "1", "9", "10", "99", "-1", "x"])
    part = st.sampled_from(["kind", "prompt", "low_label", "high_label"])
    keys = st.one_of(
        st.builds(lambda r, p: f"questions-{r}-{p}", row, part),
        st.just("required_for_certificate"),
    )
    values = st.one_of(TEXTS, st.sampled_from(["rating", "text", "RATING", "y"]))
    fields = data.draw(st.dictionaries(keys, values, max_size=8))
    before = [(q.kind, q.prompt) for q in rules.evaluation_for(offering).questions]
    response = actions.post(f"/evaluations/offerings/{offering.id}/setup", fields)
    assert response.status_code < 500
    db.session.expire_all()
    after = [(q.kind, q.prompt) for q in rules.evaluation_for(offering).questions]
    if response.status_code != 302:
        assert after == before
    assert 1 <= len(after) <= 10


# ---------------------------------------------------------------------------- query counts


def test_my_trainings_queries_do_not_grow_with_evaluated_trainings(ctx, client):
    admin, fac = staff()
    rosa = factories.person("rosa@example.org", name="Rosa Delgado")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            offering = training(rosa, fac, f"Training {i}", PAST - timedelta(days=i), "2")
            rules.save_evaluation(offering, rules.default_questions(), i % 2 == 0, admin)

    add(0, 2)
    Actions(client).sign_in("rosa@example.org")
    few = queries_for(client, "/my-trainings")
    transcript_few = queries_for(client, "/transcript")
    add(2, 12)
    assert queries_for(client, "/my-trainings") == few
    assert queries_for(client, "/transcript") == transcript_few


# ---------------------------------------------------------------------------- report


def test_the_evaluations_report_shows_means_from_five_answers_in_scope(ctx, client):
    offering, evaluation = evaluated(members=5)  # hosted by Ohio
    factories.person("approver.oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    factories.person("approver.tx@example.org", roles=((Role.AFFILIATE_APPROVER, "TX"),))
    emails = ["rosa@example.org"] + [f"m{i}@example.org" for i in range(1, 5)]
    for email in emails[:4]:
        answer_as(offering, evaluation, email, 4, "fine")
    actions = Actions(client)
    actions.sign_in("approver.oh@example.org")
    url = "/reports/evaluations?year_from=2026&year_to=2026"
    four = page(client, url)
    assert "Safety on the bus" in four and "Shown from 5 answers" in four
    csv_url = "/reports/evaluations/offering.csv?year_from=2026&year_to=2026"
    assert "How useful" not in client.get(csv_url).get_data(as_text=True)
    answer_as(offering, evaluation, emails[4], 2, "meh")
    five = page(client, url)
    assert "How useful was this training for your job?: 3.6" in five  # (4*4 + 2) / 5
    lines = client.get(csv_url).get_data(as_text=True).splitlines()
    assert lines[0].lstrip("\ufeff") == "offering_id,offering,answered,question,answers,mean"
    assert (
        f"{offering.id},Safety on the bus,5,How useful was this training for your job?,5,3.6"
        in lines
    )
    actions.sign_out()
    actions.sign_in("approver.tx@example.org")
    assert "Safety on the bus" not in page(client, url)


def test_once_answered_the_form_locks_the_questions_and_saves_required(ctx, client):
    offering, evaluation = evaluated(required=True)
    answer_as(offering, evaluation, "rosa@example.org", 4, "ok")
    actions = Actions(client)
    actions.sign_in("admin@example.org")
    url = f"/evaluations/offerings/{offering.id}/setup"
    form = client.get(url).get_data(as_text=True)
    assert form.count('<fieldset class="question" disabled>') == 10
    assert "1 person has answered" in form
    assert actions.post(url, {}).status_code == 302  # "required" unticked, nothing else sent
    db.session.expire_all()
    saved = db.session.get(Evaluation, evaluation.id)
    assert not saved.required_for_certificate
    assert [q.prompt for q in saved.questions] == [d.prompt for d in rules.default_questions()]


def test_an_unanswered_evaluation_may_be_removed_an_answered_one_stays(ctx, client):
    offering, evaluation = evaluated(required=True)
    factories.person("approver.tx@example.org", roles=((Role.AFFILIATE_APPROVER, "TX"),))
    actions = Actions(client)
    actions.sign_in("approver.tx@example.org")
    assert actions.post(f"/evaluations/{evaluation.id}/remove").status_code == 404
    actions.sign_out()
    actions.sign_in("admin@example.org")
    answer_as(offering, evaluation, "rosa@example.org", 4, "ok")
    kept = actions.post(f"/evaluations/{evaluation.id}/remove", follow_redirects=True)
    assert "this evaluation stays" in kept.get_data(as_text=True)
    db.session.execute(sa.delete(EvaluationAnswer))
    db.session.execute(sa.delete(EvaluationReceipt))
    db.session.commit()
    gone = actions.post(f"/evaluations/{evaluation.id}/remove", follow_redirects=True)
    assert "The evaluation is removed." in gone.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0


def test_the_evaluations_list_queries_do_not_grow_with_rows(ctx, client):
    """Each row shows its dates (sessions) and its question count: loaded for the page."""
    admin, fac = staff()
    rosa = factories.person("rosa@example.org", name="Rosa Delgado")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            offering = training(rosa, fac, f"Training {i}", PAST - timedelta(days=i), "2")
            rules.save_evaluation(offering, rules.default_questions(), False, admin)

    add(0, 2)
    Actions(client).sign_in("admin@example.org")
    few = queries_for(client, "/evaluations/")
    add(2, 12)
    assert queries_for(client, "/evaluations/") == few


def test_a_strange_show_more_target_is_not_a_500(ctx, client):
    offering, _evaluation = evaluated()
    Actions(client).sign_in("fac@example.org")
    for target in ("text-rows-²", "text-rows-99999999999999", "text-rows-x", "text-rows-"):
        response = client.get(
            f"/evaluations/offerings/{offering.id}/results",
            headers={"HX-Request": "true", "HX-Target": target},
        )
        assert response.status_code == 200, target
