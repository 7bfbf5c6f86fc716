"""Reference data of PRODUCT §2: job families, state affiliates and programs."""

from __future__ import annotations

JOB_FAMILIES: list[tuple[str, str, str]] = [
    (
        "clerical-services",
        "Clerical Services",
        "Secretaries, administrative assistants, data-entry and front-office staff.",
    ),
    (
        "custodial-and-maintenance",
        "Custodial and Maintenance",
        "Custodians and maintenance staff who keep schools clean, safe and running.",
    ),
    (
        "food-services",
        "Food Services",
        "Cooks, cafeteria workers and nutrition staff who feed students every day.",
    ),
    (
        "health-and-student-services",
        "Health and Student Services",
        "School nurses, health aides and student-services staff.",
    ),
    (
        "paraeducators",
        "Paraeducators",
        "Paraeducators and instructional assistants working beside teachers.",
    ),
    (
        "transportation-services",
        "Transportation Services",
        "Bus drivers, monitors and mechanics who get students to school safely.",
    ),
    (
        "skilled-trade-and-crafts",
        "Skilled Trade and Crafts",
        "Electricians, plumbers, carpenters and other skilled trades.",
    ),
    (
        "security-services",
        "Security Services",
        "Security officers and staff who keep school communities safe.",
    ),
    (
        "technical-services",
        "Technical Services",
        "IT, media and technical staff who keep schools connected.",
    ),
]

AFFILIATES: list[tuple[str, str]] = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
]

# Programs the code itself treats specially.
CONFERENCE_PROGRAM_SLUG = "esp-national-conference"  # parent of pre-conference sessions
LFT_PROGRAM_SLUG = "leaders-for-tomorrow"  # cohort offerings filled by the LFT selection
SUPPORTING_OUR_OWN_PROGRAM_SLUG = "supporting-our-own"  # its certificate makes a mentor

# (slug, name, description); the "Getting Educated" programs per job family follow.
PROGRAMS: list[tuple[str, str, str]] = [
    (
        CONFERENCE_PROGRAM_SLUG,
        "NEA ESP National Conference",
        "The yearly national conference for Education Support Professionals.",
    ),
    (
        LFT_PROGRAM_SLUG,
        "NEA ESP Leaders for Tomorrow",
        "An application-based leadership program: a national cohort of 20 ESP members a year.",
    ),
    (
        "beat-privatization",
        "Beat Privatization: A Step-by-Step Crisis Action Plan",
        "How locals organise to keep ESP jobs from being contracted out.",
    ),
    (
        "stepping-up-to-the-plate",
        "Stepping Up to the Plate: A Training Guide for Emerging Leaders",
        "A two-day training or a series of workshops in three sections: NEA History and "
        "Governance Structure; Leadership Roles and Responsibilities; Membership Recruitment "
        "and Development.",
    ),
    (
        SUPPORTING_OUR_OWN_PROGRAM_SLUG,
        "Supporting Our Own: ESP Mentoring",
        "Training for ESP mentors who support colleagues new to the job.",
    ),
    (
        "building-winning-teams",
        "Building Winning Teams within the School Community",
        "Working together across job families and with educators and families.",
    ),
    (
        "esp-certification-state-level",
        "ESP Certification at the State Level",
        "How state affiliates build and run ESP certification programs.",
    ),
]


def getting_educated_slug(job_family_slug: str) -> str:
    return f"getting-educated-{job_family_slug}"


def names_people(job_family_name: str) -> bool:
    """ "Paraeducators" already names the people ("Paraeducators Professionals" reads
    wrong); "Food Services" or "Skilled Trade and Crafts" name the work."""
    words = job_family_name.split()
    return bool(words) and words[-1].lower().endswith(("ors", "ers", "ians", "ists"))


def getting_educated_name(job_family_name: str) -> str:
    if names_people(job_family_name):
        return f"Getting Educated: {job_family_name}"
    return f"Getting Educated: {job_family_name} Professionals"


def getting_educated_name_es(job_family_name: str, job_family_name_es: str) -> str:
    """The Spanish name of a family's Getting Educated program (the program keeps its
    English brand, as the catalog does): "Getting Educated: profesionales de …"."""
    if names_people(job_family_name):
        return f"Getting Educated: {job_family_name_es}"
    return f"Getting Educated: profesionales de {job_family_name_es}"


# Spanish names of the seeded reference data (formal, the catalog's words), shown to
# members reading in Spanish; admins edit them on the reference data pages. A name
# missing here (or left blank) shows in English.
JOB_FAMILY_NAMES_ES: dict[str, str] = {
    "clerical-services": "Servicios Administrativos",
    "custodial-and-maintenance": "Conserjería y Mantenimiento",
    "food-services": "Servicios de Alimentación",
    "health-and-student-services": "Servicios de Salud y Estudiantiles",
    "paraeducators": "Paraeducadores",
    "transportation-services": "Servicios de Transporte",
    "skilled-trade-and-crafts": "Oficios Especializados",
    "security-services": "Servicios de Seguridad",
    "technical-services": "Servicios Técnicos",
}

PROGRAM_NAMES_ES: dict[str, str] = {
    CONFERENCE_PROGRAM_SLUG: "Conferencia Nacional de ESP de la NEA",
    "beat-privatization": "Beat Privatization: plan de acción paso a paso ante una crisis",
    "stepping-up-to-the-plate": (
        "Stepping Up to the Plate: guía de capacitación para líderes emergentes"
    ),
    SUPPORTING_OUR_OWN_PROGRAM_SLUG: "Supporting Our Own: mentoría de ESP",
    "building-winning-teams": "Construir equipos ganadores en la comunidad escolar",
    "esp-certification-state-level": "Certificación de ESP a nivel estatal",
}

# Only the states whose Spanish name differs from the English one.
AFFILIATE_NAMES_ES: dict[str, str] = {
    "DC": "Distrito de Columbia",
    "HI": "Hawái",
    "LA": "Luisiana",
    "MI": "Míchigan",
    "MS": "Misisipi",
    "MO": "Misuri",
    "NH": "Nuevo Hampshire",
    "NJ": "Nueva Jersey",
    "NM": "Nuevo México",
    "NY": "Nueva York",
    "NC": "Carolina del Norte",
    "ND": "Dakota del Norte",
    "OR": "Oregón",
    "PA": "Pensilvania",
    "SC": "Carolina del Sur",
    "SD": "Dakota del Sur",
    "WV": "Virginia Occidental",
}
