"""GraphQL enums of the education domain (their values are the stored strings)."""

from enum import Enum

import strawberry


@strawberry.enum(description="Level of education a school teaches.")
class SchoolLevel(Enum):
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    CONTINUING_EDUCATION = "continuing_education"
    VOCATIONAL = "vocational"


@strawberry.enum
class SchoolOwnership(Enum):
    PUBLIC = "public"
    PRIVATE = "private"


@strawberry.enum(description="The grade an admission round admits into.")
class AdmissionGrade(Enum):
    PRESCHOOL = "preschool"
    GRADE_1 = "grade_1"
    GRADE_6 = "grade_6"
    GRADE_10 = "grade_10"


@strawberry.enum(description="How applications are handed in.")
class AdmissionMethod(Enum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    BOTH = "both"


@strawberry.enum(description="Where a round stands now, from its window in province time.")
class AdmissionRoundStatus(Enum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


@strawberry.enum(description="Who an announcement is for.")
class SchoolAnnouncementAudience(Enum):
    PARENTS = "parents"
    EVERYONE = "everyone"


@strawberry.enum(description="Why a school is in a catchment answer.")
class CatchmentMatchKind(Enum):
    AREA = strawberry.enum_value(
        "area", description="The place lies in (or on the edge of) the school's published area."
    )
    COMMUNE = strawberry.enum_value(
        "commune", description="The school admits from the whole ward/commune."
    )
    COMMUNE_PART = strawberry.enum_value(
        "commune_part", description="The school admits from part of the ward/commune: see its area."
    )
    PROVINCE_WIDE = strawberry.enum_value(
        "province_wide", description="The school admits from the whole province."
    )


@strawberry.enum(description="Where a required document comes from.")
class AdmissionDocumentSource(Enum):
    PROCEDURE_RECORD = "procedure_record"
    ADMISSION_PLAN = "admission_plan"
