"""The demo's evaluation: custodian@ is asked to answer before his certificate, then gets
it; facilitator@ sees the totals of the six colleagues who answered; seeding twice adds
nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa

from esp_registry.credit.evaluations.demo import TITLE
from esp_registry.credit.evaluations.models import (
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationReceipt,
)
from esp_registry.extensions import db
from esp_registry.seeding import DEMO_PASSWORD, seed_demo
from tests.conftest import Actions


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (EvaluationQuestion, EvaluationReceipt, EvaluationAnswer)
    )


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_demo_evaluation_walks_through(ctx, client):
    seed_demo()
    before = counts()
    seed_demo()
    assert counts() == before

    actions = Actions(client)
    actions.sign_in("facilitator@example.org", DEMO_PASSWORD)
    listing = client.get("/evaluations/").get_data(as_text=True)
    url = re.search(r'href="(/evaluations/offerings/\d+/results)"', listing.split(TITLE)[1])[1]
    results = text(client.get(url))
    assert "6 people answered." in results and "Mean:" in results
    actions.sign_out()

    actions.sign_in("custodian@example.org", DEMO_PASSWORD)
    mine = client.get("/my-trainings").get_data(as_text=True)
    assert TITLE in mine
    assert "Answer the short evaluation to get your certificate" in mine
    answer_url = re.search(r'href="(/evaluations/registrations/\d+)"', mine)[1]
    form = client.get(answer_url).get_data(as_text=True)
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', form)
    names = {re.search(r'name="(q\d+)"', r)[1] for r in radios}
    assert len(names) == 3 and len(radios) == 15
    assert actions.post(answer_url, {n: "4" for n in names}).status_code == 302
    mine = client.get("/my-trainings").get_data(as_text=True)
    download = re.search(r'href="(/registrations/(\d+)/certificate.pdf)"', mine)
    assert download and answer_url.endswith(download[2])
    assert client.get(download[1]).status_code == 200
