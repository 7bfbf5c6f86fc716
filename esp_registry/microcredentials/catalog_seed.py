"""The starter catalog of micro-credentials (PRODUCT §14): loaded with the reference data
(`flask seed reference`, which a deployment runs once, and `flask seed demo`), added once
by slug — an entry or stack already there is left as the admins have it.

Modelled on the NEA's ESP micro-credentials: the ESP Professional Growth Continuum (one
micro-credential per ESP Universal Standard, about 15 hours each) taken in order, and
practice micro-credentials for paraeducators, food services, transportation and clerical
staff. Each has the NEA's shape: a competency, a key method, then three parts of evidence
(overview questions, an artifact, a reflection) judged Met / Not yet against a rubric."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.extensions import db
from esp_registry.microcredentials.models import (
    Component,
    Criterion,
    Microcredential,
    Stack,
)
from esp_registry.reference.models import JobFamily

CONTINUUM = "esp-professional-growth-continuum"
PRACTICE = "esp-job-family-practice"

STACKS: list[tuple[str, str, str, str, str, bool]] = [
    # slug, name, name_es, description, description_es, in order
    (
        CONTINUUM,
        "ESP Professional Growth Continuum",
        "Continuo de Crecimiento Profesional de los ESP",
        "One micro-credential per ESP Universal Standard, taken in order: each builds on "
        "the one before it.",
        "Una microcredencial por cada Estándar Universal de los ESP, en orden: cada una "
        "se apoya en la anterior.",
        True,
    ),
    (
        PRACTICE,
        "ESP Job Family Practice",
        "Práctica por familia de empleo de los ESP",
        "Micro-credentials about the daily work of one job family, in any order.",
        "Microcredenciales sobre el trabajo diario de una familia de empleo, en cualquier orden.",
        False,
    ),
]


@dataclass(frozen=True)
class Entry:
    slug: str
    name: str
    name_es: str
    competency: str
    competency_es: str
    key_method: str
    family: str | None  # job family slug; None: every job family
    overview: str  # the overview questions
    artifact: str  # what to upload
    artifact_criteria: tuple[str, ...]  # its rubric (Met when…)
    stack: str | None = None
    hours: str = "15"
    credit: str = "15"


ENTRIES: list[Entry] = [
    Entry(
        "pgc-communication",
        "ESP Universal Standards: Communication",
        "Estándares Universales de los ESP: Comunicación",
        "The ESP communicates clearly and respectfully with students, families and "
        "colleagues, choosing the channel and words that fit the listener.",
        "El ESP se comunica con claridad y respeto con estudiantes, familias y colegas, "
        "eligiendo el medio y las palabras adecuadas para cada persona.",
        "Plan a conversation or message that matters in your job, carry it out, and note "
        "how it was received.",
        None,
        "Who do you communicate with most in your job? Describe one conversation that went "
        "well and one that did not, and what made the difference.",
        "Upload the message, notice or conversation plan you prepared, with any notes on how "
        "people responded.",
        (
            "Met: the artifact is written for its audience (plain words, the language the "
            "family reads).",
            "Met: the artifact shows how the ESP checked that the message was understood.",
        ),
        CONTINUUM,
    ),
    Entry(
        "pgc-ethics",
        "ESP Universal Standards: Ethics",
        "Estándares Universales de los ESP: Ética",
        "The ESP acts with integrity, protects students' privacy and dignity, and knows "
        "where to turn when a situation is unclear.",
        "El ESP actúa con integridad, protege la privacidad y la dignidad de los "
        "estudiantes y sabe a quién acudir cuando una situación no está clara.",
        "Work through a real (anonymised) ethical dilemma from your workplace using your "
        "district's code of conduct.",
        None,
        "Which rules or codes of conduct apply to your job? Describe a situation where the "
        "right thing to do was not obvious.",
        "Upload a one-page case study of the dilemma (no names) and the steps you took or "
        "would take.",
        (
            "Met: the case study names the rule or policy that applies.",
            "Met: no student or colleague can be identified from the evidence.",
        ),
        CONTINUUM,
    ),
    Entry(
        "pgc-health-and-safety",
        "ESP Universal Standards: Health and Safety",
        "Estándares Universales de los ESP: Salud y Seguridad",
        "The ESP keeps students and colleagues safe: knows the emergency procedures of the "
        "worksite, spots hazards and reports them.",
        "El ESP mantiene seguros a estudiantes y colegas: conoce los procedimientos de "
        "emergencia de su lugar de trabajo, detecta riesgos y los reporta.",
        "Walk your work area with a safety checklist, fix or report what you find, and follow up.",
        None,
        "What are the emergency procedures where you work? Which hazards are most common in "
        "your area, and who do you report them to?",
        "Upload the completed safety checklist of your walk-through and the report you made.",
        (
            "Met: the checklist covers the whole work area and dates each finding.",
            "Met: each hazard has an action taken or a report to the right person.",
            "Met: a follow-up shows whether the hazard was resolved.",
        ),
        CONTINUUM,
    ),
    Entry(
        "pgc-professionalism",
        "ESP Universal Standards: Professionalism",
        "Estándares Universales de los ESP: Profesionalismo",
        "The ESP takes charge of their own professional growth: sets goals with the "
        "Universal Standards and seeks feedback to reach them.",
        "El ESP se hace cargo de su propio crecimiento profesional: fija metas con los "
        "Estándares Universales y busca retroalimentación para alcanzarlas.",
        "Rate yourself on the Levels of Practice, set one growth goal, and gather feedback "
        "from a colleague over four weeks.",
        None,
        "Where are you on the Levels of Practice for your job family? Which standard do you "
        "want to grow in, and why?",
        "Upload your growth plan: the goal, the steps, and the colleague's feedback.",
        (
            "Met: the goal is specific and can be checked after four weeks.",
            "Met: the feedback comes from someone who saw the work.",
        ),
        CONTINUUM,
    ),
    Entry(
        "para-iep-collaboration",
        "Supporting Students' IEPs: Communication and Collaboration",
        "Apoyo a los IEP de los estudiantes: comunicación y colaboración",
        "The paraeducator, as a member of the IEP implementation team, uses communication "
        "and collaboration strategies that help a student reach their IEP goals.",
        "El paraeducador, como miembro del equipo que aplica el IEP, usa estrategias de "
        "comunicación y colaboración que ayudan al estudiante a alcanzar sus metas.",
        "Agree a communication plan with the teacher and document the student's progress "
        "on one goal over 20 to 30 days.",
        "paraeducators",
        "What is your role on the IEP team? How do you learn about a student's goals, and "
        "how do you share what you observe?",
        "Upload the communication plan and your progress notes (student anonymised).",
        (
            "Met: the plan says who shares what, how often, and by which channel.",
            "Met: progress notes are dated and tied to the IEP goal.",
        ),
        PRACTICE,
    ),
    Entry(
        "food-allergy-safe-service",
        "Food Allergy Awareness and Safe Meal Service",
        "Alergias alimentarias y servicio seguro de comidas",
        "The food service professional prevents allergic reactions: reads labels, avoids "
        "cross-contact and knows what to do in an emergency.",
        "El profesional de servicios de alimentos previene reacciones alérgicas: lee "
        "etiquetas, evita el contacto cruzado y sabe qué hacer en una emergencia.",
        "Review your kitchen's allergen procedures, prepare one allergen-safe meal line, "
        "and train a colleague.",
        "food-services",
        "Which allergens are most common in your school? How does your kitchen learn which "
        "students have allergies?",
        "Upload the allergen checklist or labelled menu you prepared and the notes of the "
        "colleague you trained.",
        (
            "Met: the checklist covers storage, preparation and serving.",
            "Met: the emergency steps match the district's procedure.",
        ),
        PRACTICE,
    ),
    Entry(
        "bus-student-behavior",
        "Positive Student Behavior on the School Bus",
        "Conducta positiva de los estudiantes en el autobús escolar",
        "The school bus driver sets clear expectations and uses positive strategies so "
        "that every student rides safely.",
        "El conductor de autobús escolar establece expectativas claras y usa estrategias "
        "positivas para que todos los estudiantes viajen seguros.",
        "Post and teach bus expectations, try one positive strategy for three weeks, and "
        "keep a simple log.",
        "transportation-services",
        "What behavior on your bus worries you most? Who do you work with at school when a "
        "student's behavior needs follow-up?",
        "Upload the posted expectations (a photo) and your three-week log.",
        (
            "Met: the expectations are few, positive and visible from every seat.",
            "Met: the log shows the strategy used and what changed.",
        ),
        PRACTICE,
    ),
    Entry(
        "clerical-records-confidentiality",
        "Student Records and Confidentiality",
        "Expedientes estudiantiles y confidencialidad",
        "The clerical professional keeps student records accurate and confidential, and "
        "answers requests for them as the law and district policy require.",
        "El profesional administrativo mantiene los expedientes estudiantiles exactos y "
        "confidenciales, y responde a las solicitudes según la ley y la política del "
        "distrito.",
        "Map how records requests reach your office and write a short desk guide for them.",
        "clerical-services",
        "Which student records does your office keep? Who may see them, and how do you "
        "check before you share?",
        "Upload your desk guide for records requests (no real student data).",
        (
            "Met: the guide says how to check who is asking and their right to see it.",
            "Met: the guide contains no real student data.",
        ),
    ),
    Entry(
        "clerical-family-front-office",
        "The Welcoming Front Office: Engaging Families",
        "Una oficina de recepción acogedora: el vínculo con las familias",
        "The front office professional welcomes every family, whatever their language, "
        "and connects them with the right person at school.",
        "El profesional de recepción da la bienvenida a cada familia, hable el idioma que "
        "hable, y la pone en contacto con la persona adecuada en la escuela.",
        "Look at your front office through a new family's eyes and make one improvement.",
        "clerical-services",
        "What does a family see, hear and read when they first come to your school? Which "
        "families find it hardest to reach you?",
        "Upload a photo or copy of the improvement (a sign, a welcome sheet, a phone script).",
        (
            "Met: the improvement answers a need the overview names.",
            "Met: it is available in the languages of the school's families.",
        ),
    ),
    Entry(
        "para-positive-behavior",
        "Positive Behavior Supports in the Classroom",
        "Apoyos para la conducta positiva en el aula",
        "The paraeducator reinforces the classroom's behavior expectations consistently "
        "and de-escalates difficult moments calmly.",
        "El paraeducador refuerza de forma constante las expectativas de conducta del aula "
        "y calma con serenidad los momentos difíciles.",
        "Agree one reinforcement strategy with the teacher, use it for three weeks, and "
        "record what you see.",
        "paraeducators",
        "What are the behavior expectations in the classroom where you work? How do you and "
        "the teacher stay consistent?",
        "Upload your observation record of the three weeks (student anonymised).",
        (
            "Met: the record shows the strategy used the same way each time.",
            "Met: the observations describe behavior, not judgements about the student.",
        ),
    ),
]

KEY_METHODS_ES = {
    "pgc-communication": "Planifique una conversación o un mensaje importante en su trabajo, "
    "llévelo a cabo y anote cómo fue recibido.",
    "pgc-ethics": "Analice un dilema ético real (anónimo) de su lugar de trabajo con el código "
    "de conducta de su distrito.",
    "pgc-health-and-safety": "Recorra su área de trabajo con una lista de seguridad, corrija o "
    "reporte lo que encuentre y haga el seguimiento.",
    "pgc-professionalism": "Evalúese con los Niveles de Práctica, fije una meta de crecimiento y "
    "reciba la opinión de un colega durante cuatro semanas.",
    "para-iep-collaboration": "Acuerde un plan de comunicación con el maestro y documente el "
    "progreso del estudiante en una meta durante 20 a 30 días.",
    "food-allergy-safe-service": "Revise los procedimientos de alérgenos de su cocina, prepare "
    "una línea de servicio sin alérgenos y capacite a un colega.",
    "bus-student-behavior": "Publique y enseñe las expectativas del autobús, pruebe una "
    "estrategia positiva durante tres semanas y lleve un registro sencillo.",
    "clerical-records-confidentiality": "Describa cómo llegan las solicitudes de expedientes a "
    "su oficina y escriba una guía breve para atenderlas.",
    "clerical-family-front-office": "Mire su oficina de recepción con los ojos de una familia "
    "nueva y haga una mejora.",
    "para-positive-behavior": "Acuerde una estrategia de refuerzo con el maestro, úsela durante "
    "tres semanas y anote lo que observe.",
}

OVERVIEW_CRITERIA = (
    (
        "Met: every overview question is answered, in order, with an example from the "
        "member's own work.",
        "Cumplido: responde todas las preguntas, en orden, con un ejemplo de su propio trabajo.",
    ),
    (
        "Met: the answers connect the key method to the member's worksite.",
        "Cumplido: las respuestas relacionan el método clave con su lugar de trabajo.",
    ),
)
REFLECTION_PROMPT = (
    "What did you learn? What changed for students or colleagues, how do you know, and what "
    "will you do next?"
)
REFLECTION_PROMPT_ES = (
    "¿Qué aprendió? ¿Qué cambió para los estudiantes o colegas, cómo lo sabe y qué hará después?"
)
REFLECTION_CRITERIA = (
    (
        "Met: the reflection describes an effect on students or colleagues, with evidence.",
        "Cumplido: la reflexión describe un efecto en estudiantes o colegas, con evidencias.",
    ),
    (
        "Met: the reflection names a concrete next step. Not yet: a summary of the work only.",
        "Cumplido: la reflexión nombra un próximo paso concreto. Todavía no: solo resume el "
        "trabajo.",
    ),
)


def _components(entry: Entry) -> list[Component]:
    def criteria(texts: tuple[tuple[str, str], ...]) -> list[Criterion]:
        return [
            Criterion(position=place, text=text, text_es=text_es)
            for place, (text, text_es) in enumerate(texts, start=1)
        ]

    return [
        Component(
            position=1,
            title="Overview questions",
            title_es="Preguntas generales",
            prompt=entry.overview,
            criteria=criteria(OVERVIEW_CRITERIA),
        ),
        Component(
            position=2,
            title="Artifact",
            title_es="Evidencia de trabajo",
            prompt=entry.artifact,
            accepts_file=True,
            criteria=criteria(tuple((text, "") for text in entry.artifact_criteria)),
        ),
        Component(
            position=3,
            title="Reflection",
            title_es="Reflexión",
            prompt=REFLECTION_PROMPT,
            prompt_es=REFLECTION_PROMPT_ES,
            criteria=criteria(REFLECTION_CRITERIA),
        ),
    ]


def seed_microcredential_catalog() -> int:
    """The starter stacks and micro-credentials, each added once (by slug); returns rows
    added. Flushes, never commits (seed_reference does)."""
    added = 0
    stacks = {s.slug: s for s in db.session.scalars(sa.select(Stack))}
    for slug, name, name_es, description, description_es, in_order in STACKS:
        if slug not in stacks:
            stacks[slug] = Stack(
                slug=slug,
                name=name,
                name_es=name_es,
                description=description,
                description_es=description_es,
                in_order=in_order,
            )
            db.session.add(stacks[slug])
            added += 1
    db.session.flush()
    existing = set(db.session.scalars(sa.select(Microcredential.slug)))
    families = {f.slug: f for f in db.session.scalars(sa.select(JobFamily))}
    taken = {
        (stack_id, position)
        for stack_id, position in db.session.execute(
            sa.select(Microcredential.stack_id, Microcredential.stack_position).where(
                Microcredential.stack_id.is_not(None)
            )
        )
    }
    positions: dict[str, int] = {}
    for entry in ENTRIES:
        stack = stacks.get(entry.stack) if entry.stack else None
        position = None
        if entry.stack:
            position = positions[entry.stack] = positions.get(entry.stack, 0) + 1
        if entry.slug in existing:
            continue
        if stack is not None and (stack.id, position) in taken:
            stack, position = None, None  # an admin rearranged the stack: leave it be
        db.session.add(
            Microcredential(
                slug=entry.slug,
                name=entry.name,
                name_es=entry.name_es,
                competency=entry.competency,
                competency_es=entry.competency_es,
                key_method=entry.key_method,
                key_method_es=KEY_METHODS_ES.get(entry.slug, ""),
                job_family=families.get(entry.family) if entry.family else None,
                estimated_hours=Decimal(entry.hours),
                credit_hours=Decimal(entry.credit),
                stack=stack,
                stack_position=position,
                components=_components(entry),
            )
        )
        added += 1
    db.session.flush()
    return added
