"""Every kind of badge the registry issues validates against 1EdTech's Open Badges 3.0
AchievementCredential JSON Schema; a broken one does not.

The schema is not committed (1EdTech's specification licence does not let us redistribute
it): `make vendor` fetches it from its published URL into .cache/ob3/. Without it these tests
skip, or fail under REQUIRE_OB3_SCHEMA=1."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from esp_registry.mentoring import rules as mentoring_rules
from tests.integration.mentoring_world import paired, the_admin
from tests.integration.test_credit_badges import download
from tests.integration.test_transcript import history

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2]
    / ".cache"
    / "ob3"
    / "ob_v3p0_achievementcredential_schema.json"
)


@pytest.fixture
def validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA_FILE.exists():
        reason = f"{SCHEMA_FILE.name} not in .cache/ob3 (make vendor fetches it)"
        if os.environ.get("REQUIRE_OB3_SCHEMA") == "1":
            pytest.fail(f"OB 3.0 schema required (REQUIRE_OB3_SCHEMA=1) but {reason}")
        pytest.skip(reason)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(validator: Any, credential: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(credential)
    ]


def test_an_attendance_badge_validates_and_a_broken_one_does_not(client, actions, validator):
    _registration, badge = download(client, actions)
    assert problems(validator, badge["credential"]) == []
    broken = copy.deepcopy(badge["credential"])
    del broken["credentialSubject"]
    assert any("credentialSubject" in p for p in problems(validator, broken))
    no_achievement = copy.deepcopy(badge["credential"])
    del no_achievement["credentialSubject"]["achievement"]["criteria"]
    assert problems(validator, no_achievement) != []
    wrong_type = dict(badge["credential"], type=["VerifiableCredential"])
    assert problems(validator, wrong_type) != []


def test_a_mentoring_badge_validates(client, actions, validator):
    pairing = paired()
    mentoring_rules.log_activity(
        pairing,
        pairing.mentor,
        mentoring_rules.LogEntry("coaching", datetime.now(UTC).date(), Decimal("2")),
    )
    assert mentoring_rules.complete_pairing(pairing, the_admin()).ok
    actions.sign_in("mentor@example.org")
    badge = client.get(f"/badges/mentoring/{pairing.id}.json").get_json()
    assert badge["credential"]["credentialSubject"]["achievement"]["name"].endswith("(mentor)")
    assert problems(validator, badge["credential"]) == []


def test_a_transcript_badge_validates(client, actions, validator):
    history()
    actions.sign_in("rosa@example.org")
    location = client.get("/badges/transcript.json").headers["Location"]
    badge = client.get(location).get_json()
    assert badge["credential"]["credentialSubject"]["achievement"]["achievementType"] == (
        "ext:Transcript"
    )
    assert problems(validator, badge["credential"]) == []
    unknown_type = copy.deepcopy(badge["credential"])
    unknown_type["credentialSubject"]["achievement"]["achievementType"] = "Transcript"
    assert problems(validator, unknown_type) != []  # outside the vocabulary without "ext:"
