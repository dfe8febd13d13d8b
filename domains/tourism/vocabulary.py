"""The tourism domain's fixed vocabularies; enum values are what is stored."""

from enum import Enum

import strawberry


@strawberry.enum(description="What kind of place an attraction is.")
class AttractionCategory(Enum):
    BEACH = "beach"
    HERITAGE = "heritage"
    NATURE = "nature"
    CAVE = "cave"
    SPIRITUAL = "spiritual"
    CRAFT_VILLAGE = "craft_village"
    CUISINE = "cuisine"
    MUSEUM = "museum"
    RESORT = "resort"
    LANDMARK = "landmark"


@strawberry.enum(name="TourismEventStatus", description="Where an event stands.")
class EventStatus(Enum):
    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    FINISHED = "finished"


# Statuses whose dates hold: reminders are scheduled only for these.
ON_SCHEDULE = frozenset({EventStatus.SCHEDULED, EventStatus.RESCHEDULED})
# Statuses that tell subscribers their plans must change.
CALLED_OFF = frozenset({EventStatus.POSTPONED, EventStatus.CANCELLED})


@strawberry.enum(name="TourismCalendar", description="Calendar a yearly event follows.")
class Calendar(Enum):
    LUNAR = "lunar"
    SOLAR = "solar"


@strawberry.enum(description="The idea an itinerary is built around.")
class ItineraryTheme(Enum):
    HERITAGE = "heritage"
    NATURE = "nature"
    BEACH = "beach"
    SPIRITUAL = "spiritual"
    CULINARY = "culinary"
    FAMILY = "family"


@strawberry.enum(name="OpeningWeekday", description="Day of the week (Monday first).")
class Weekday(Enum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6
