"""Start-up step (``MODULE.start``): idempotent, run by every process after the indexes.

Districts ended on 1 July 2025. Whoever followed a former district's alert topic
(``district.<key>``, with the slug or the name staff typed) now follows each ward/commune that
district became (``commune.<code>``), and the district subscription is removed. A second run
finds no district followers and changes nothing.
"""

import logging

from domains.environment.areas import load_areas
from domains.kernel.resources import Resources
from domains.notifications import outbox
from domains.notifications import service as notifications
from domains.notifications.store import NotificationsStore

logger = logging.getLogger(__name__)


async def move_district_followers(resources: Resources) -> int:
    """Move the followers of every former district's topics to its wards/communes."""
    areas = load_areas()
    store = NotificationsStore.of(resources)
    moved = 0
    for district, keys in areas.district_topic_keys.items():
        targets = [area.topic for area in areas.of_former_district(district)]
        for key in keys:
            moved += await notifications.move_topic_followers(
                store=store, topic=outbox.topic_name("district", key), to=targets
            )
    return moved


async def start(resources: Resources) -> None:
    moved = await move_district_followers(resources)
    if moved:
        logger.info("district alert followers moved to wards/communes", extra={"count": moved})
