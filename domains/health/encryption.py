"""Health's fields encrypted at rest (reasons for visit, BHYT numbers): the plain export of them,
and their re-encryption under the current key (``xuthanh rotate-key``)."""

from typing import Any

from domains.health.repositories.appointments import AppointmentRepository
from domains.health.repositories.profiles import PatientProfileRepository
from domains.kernel.crypto import FIELD_CIPHER, FieldCipher
from domains.kernel.resources import Resources

# (collection, field): every value encrypted at rest in health.
ENCRYPTED = (
    (AppointmentRepository.collection_name, "reason"),
    (PatientProfileRepository.collection_name, "bhytNumber"),
)


def revealed(resources: Resources, documents: list[Any], field: str) -> list[Any]:
    """Copies of ``documents`` with ``field`` decrypted (the user's export)."""
    cipher = resources.find(FIELD_CIPHER)
    if cipher is None:
        return documents
    return [
        {**d, field: cipher.decrypt(d[field], field=field)} if d.get(field) else d
        for d in documents
    ]


async def reencrypt(resources: Resources) -> int:
    """Encrypt under the current key every value that is not (older keys, or plain text stored
    before encryption). Each write is conditional on the value read, so it runs beside a serving
    API without losing a concurrent change; re-running it changes nothing more."""
    cipher: FieldCipher = resources.get(FIELD_CIPHER)
    changed = 0
    for collection_name, field in ENCRYPTED:
        collection = resources.db[collection_name]
        cursor = collection.find({field: {"$type": "string"}}, {field: 1})
        async for document in cursor:
            stored = document[field]
            if cipher.is_current(stored):
                continue
            fresh = cipher.encrypt(cipher.decrypt(stored, field=field), field=field)
            result = await collection.update_one(
                {"_id": document["_id"], field: stored}, {"$set": {field: fresh}}
            )
            changed += result.modified_count
    return changed
