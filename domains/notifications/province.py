"""Synthetic devices and one user's long inbox at the province's real size (issue 13, item 5).

``xuthanh seed --scale province`` runs ``seed_province`` after the demo data: 100,000 devices
(four in five of signed-in citizens, the rest anonymous installations; Android, iOS and web as
the app's audience splits; Vietnamese and English; seen within the last 200 days) and 5,000
inbox entries for the demo user ``demo-visitor-1`` over the last two years (a third of them
unread), in the categories the domains really send. Every record carries ``synthetic: true``;
tokens start with ``mau-`` ("sample"), synthetic users are ``mau-citizen-NNNNNN`` and inbox
texts end in ``(mẫu)``. The output depends only on the fixed seed and date, and records are
upserted by ``_id``: a second run writes the same records.
"""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from domains.kernel.module import Progress
from domains.kernel.types import Database
from domains.notifications.repository import DeviceRepository, InboxRepository, device_bucket

DEVICES = 100_000
INBOX_ENTRIES = 5_000
INBOX_USER = "demo-visitor-1"  # a demo user (tourism's demo reviews are theirs)
RANDOM_SEED = 2026
GENERATED_AT = datetime(2026, 12, 1, tzinfo=UTC)  # fixed: a second run writes the same records
BATCH = 1_000
PLATFORMS = (("android", 0.7), ("ios", 0.25), ("web", 0.05))
# What the domains send (title, body in Vietnamese and English), with a place or a number.
MESSAGES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "health.booking_reminder",
        "Nhắc lịch khám",
        "Bạn có lịch khám lúc {hour}:00 ngày mai.",
        "Appointment reminder",
        "You have an appointment tomorrow at {hour}:00.",
    ),
    (
        "tourism.event_reminder",
        "Sự kiện sắp diễn ra",
        "Sự kiện bạn theo dõi bắt đầu sau {hour} giờ nữa.",
        "Event coming up",
        "An event you follow starts in {hour} hours.",
    ),
    (
        "education.announcement",
        "Thông báo của nhà trường",
        "Nhà trường có thông báo mới số {number}.",
        "School announcement",
        "Your school posted announcement no. {number}.",
    ),
    (
        "district.alert",
        "Thông báo của huyện",
        "Lịch cắt điện khu vực, đợt {number}.",
        "District notice",
        "Planned power cut in your area, round {number}.",
    ),
)


def _platform(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for platform, share in PLATFORMS:
        total += share
        if roll < total:
            return platform
    return PLATFORMS[-1][0]


def device_document(number: int, rng: random.Random) -> dict[str, Any]:
    token = f"mau-{number:06d}-{rng.getrandbits(128):032x}"
    seen = GENERATED_AT - timedelta(minutes=rng.randrange(200 * 24 * 60))
    return {
        "_id": token,
        "bucket": device_bucket(token),
        "userId": f"mau-citizen-{number:06d}" if rng.random() < 0.8 else None,
        "platform": _platform(rng),
        "locale": "en" if rng.random() < 0.05 else "vi",
        "appVersion": rng.choice(("2.3.0", "2.4.0", "2.4.1")),
        "createdAt": seen - timedelta(days=rng.randrange(400)),
        "lastSeenAt": seen,
        "synthetic": True,
    }


def inbox_document(number: int, rng: random.Random) -> dict[str, Any]:
    category, title_vi, body_vi, title_en, body_en = rng.choice(MESSAGES)
    values = {"hour": rng.randrange(7, 17), "number": number}
    created = GENERATED_AT - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
    return {
        "_id": f"mau-{number:05d}:{INBOX_USER}",
        "userId": INBOX_USER,
        "n": f"mau-{number:05d}",
        "category": category,
        "title": {"vi": f"{title_vi} (mẫu)", "en": f"{title_en} (sample)"},
        "body": {"vi": body_vi.format(**values), "en": body_en.format(**values)},
        "data": {},
        "createdAt": created,
        "readAt": None if rng.random() < 1 / 3 else created + timedelta(hours=rng.randrange(1, 72)),
        "synthetic": True,
    }


async def seed_province(*, db: Database, progress: Progress) -> int:
    """Upsert the synthetic devices and inbox entries; returns how many records were written."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - synthetic data, reproducible on purpose
    devices = [device_document(number, rng) for number in range(DEVICES)]
    entries = [inbox_document(number, rng) for number in range(INBOX_ENTRIES)]
    total = len(devices) + len(entries)
    done = 0
    for repository, documents in ((DeviceRepository(db), devices), (InboxRepository(db), entries)):
        for start in range(0, len(documents), BATCH):
            batch = documents[start : start + BATCH]
            await repository.put_generated(batch)
            done += len(batch)
            progress(done, total)
    return total
