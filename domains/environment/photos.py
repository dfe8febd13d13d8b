"""Report photos: only JPEG, PNG or WebP (recognised by their content, not their name), at most
``MAX_BYTES``, re-encoded from their pixels so no EXIF (GPS position, phone model) survives, with
a thumbnail; stored in GridFS.

Pillow is imported inside the function so the API starts (and every other domain's tests run)
on an environment installed before the dependency was added."""

import contextlib
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile

from domains.kernel.errors import InvalidInput
from domains.kernel.types import Database

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
LONGEST_SIDE = 2048
THUMBNAIL_SIDE = 320
ACCEPTED = {"JPEG", "PNG", "WEBP"}
BUCKET = "environment_photos"


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    image: bytes  # JPEG, no metadata
    thumbnail: bytes
    width: int
    height: int


def clean_photo(data: bytes, *, field: str = "photos") -> CleanPhoto:
    """The photo re-encoded without metadata, or InvalidInput naming what is wrong."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise InvalidInput(f"A photo may be at most {MAX_BYTES // (1024 * 1024)} MB.", field=field)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in ACCEPTED:
                raise InvalidInput("Photos must be JPEG, PNG or WebP images.", field=field)
            if opened.width * opened.height > MAX_PIXELS:
                raise InvalidInput("The photo has too many pixels.", field=field)
            # Turned upright as the camera meant it; then only the pixels are kept.
            upright = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InvalidInput("Photos must be JPEG, PNG or WebP images.", field=field) from error
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    pixels = Image.new("RGB", upright.size)
    pixels.paste(upright)
    image = io.BytesIO()
    pixels.save(image, format="JPEG", quality=85, optimize=True)
    small = pixels.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    thumbnail = io.BytesIO()
    small.save(thumbnail, format="JPEG", quality=80)
    return CleanPhoto(image.getvalue(), thumbnail.getvalue(), pixels.width, pixels.height)


class PhotoStore:
    """GridFS files of the report photos: ``<id>`` the image, ``<id>-thumb`` its thumbnail."""

    def __init__(self, db: Database) -> None:
        self.bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)

    async def put(self, photo: CleanPhoto) -> ObjectId:
        photo_id = ObjectId()
        await self.bucket.upload_from_stream_with_id(
            photo_id, f"{photo_id}.jpg", photo.image, metadata={"contentType": "image/jpeg"}
        )
        await self.bucket.upload_from_stream(
            f"{photo_id}-thumb.jpg",
            photo.thumbnail,
            metadata={"contentType": "image/jpeg", "thumbnailOf": photo_id},
        )
        return photo_id

    async def read(self, photo_id: ObjectId, *, thumbnail: bool = False) -> bytes | None:
        name = f"{photo_id}-thumb.jpg" if thumbnail else f"{photo_id}.jpg"
        try:
            stream = await self.bucket.open_download_stream_by_name(name)
        except NoFile:
            return None
        return bytes(await stream.read())

    async def delete(self, photo_ids: list[ObjectId]) -> None:
        for photo_id in photo_ids:
            for name in (f"{photo_id}.jpg", f"{photo_id}-thumb.jpg"):
                # Deleted already when the erasure runs again after a crash.
                with contextlib.suppress(NoFile):
                    await self.bucket.delete_by_name(name)

    async def unreferenced(
        self, *, before: datetime, reports: "PhotoReferences", batch: int = 500
    ) -> list[ObjectId]:
        """Images uploaded before ``before`` that no report refers to any more."""
        files = self.bucket.find({"uploadDate": {"$lt": before}, "metadata.thumbnailOf": None})
        ids = [found._id async for found in files]
        orphans: list[ObjectId] = []
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            kept = await reports.referenced(chunk)
            orphans += [photo_id for photo_id in chunk if photo_id not in kept]
        return orphans


class PhotoReferences(Protocol):
    async def referenced(self, photo_ids: list[ObjectId]) -> set[ObjectId]: ...
