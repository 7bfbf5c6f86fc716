"""Imports every domain area's models so the metadata (and Alembic) sees all tables."""

from esp_registry.accounts.models import AccountEvent, RoleGrant, SignInSession, User
from esp_registry.attendance.models import Attendance, AttendanceEvent
from esp_registry.badges.models import BadgeEmail
from esp_registry.catalog.models import Offering, Session
from esp_registry.certificates.models import Certificate, CertificatePrintJob, TranscriptCode
from esp_registry.credit.evaluations.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationReceipt,
)
from esp_registry.credit.outside.models import OutsideTraining, OutsideTrainingEvent
from esp_registry.credit.required.models import RequiredTraining, RequiredTrainingReminder
from esp_registry.credit.units.models import CreditEvent, CreditRule, CreditUnit
from esp_registry.lft.models import LftApplication, LftCriterion, LftCycle, LftEvent, LftScore
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentorProfile,
)
from esp_registry.microcredentials.models import (
    Assessment,
    Attempt,
    Component,
    Criterion,
    Evidence,
    Microcredential,
    MicrocredentialEvent,
    Score,
    Stack,
    Submission,
    SubmittedEvidence,
    WindowWarning,
)
from esp_registry.notifications.models import OutboxMessage
from esp_registry.reference.models import Affiliate, JobFamily, Local, Program, ReferenceEvent
from esp_registry.registrations.models import Registration

__all__ = [
    "AccountEvent",
    "Affiliate",
    "Assessment",
    "Attempt",
    "Attendance",
    "AttendanceEvent",
    "BadgeEmail",
    "Certificate",
    "CertificatePrintJob",
    "Component",
    "CreditEvent",
    "CreditRule",
    "CreditUnit",
    "Criterion",
    "Evaluation",
    "EvaluationAnswer",
    "EvaluationQuestion",
    "EvaluationReceipt",
    "Evidence",
    "JobFamily",
    "LftApplication",
    "LftCriterion",
    "LftCycle",
    "LftEvent",
    "LftScore",
    "Local",
    "MentorProfile",
    "MentoringLog",
    "MentoringPairing",
    "MentoringRequest",
    "Microcredential",
    "MicrocredentialEvent",
    "Offering",
    "OutboxMessage",
    "OutsideTraining",
    "OutsideTrainingEvent",
    "Program",
    "ReferenceEvent",
    "Registration",
    "RequiredTraining",
    "RequiredTrainingReminder",
    "RoleGrant",
    "Score",
    "Session",
    "SignInSession",
    "Stack",
    "Submission",
    "SubmittedEvidence",
    "TranscriptCode",
    "User",
    "WindowWarning",
]
