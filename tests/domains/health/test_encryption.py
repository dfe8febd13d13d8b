"""Reasons for visit and BHYT numbers are encrypted at rest under a key kept outside the
database; a rotation re-encrypts them under a new key while they stay readable."""

from typing import Any

from bson import ObjectId

from api import registry
from domains.kernel.crypto import FIELD_CIPHER, FieldCipher, new_key_text, parse_keys
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from tests.conftest import GraphQLClient
from tests.domains.health.support import (
    add_hospital,
    book,
    future_day,
    profile,
    publish,
    slot_ids,
    staff,
)

REASON = "đau ngực khi gắng sức"
BHYT = "DN4383821234567"
MINE = """{ myAppointments { nodes { id reason patient { bhytNumber } } } }"""


async def read_back(gql: GraphQLClient, token: str) -> tuple[str, str]:
    (node,) = (await gql(MINE, token=token))["data"]["myAppointments"]["nodes"]
    return node["reason"], node["patient"]["bhytNumber"]


async def test_sensitive_fields_are_encrypted_and_a_rotation_keeps_them_readable(
    gql: GraphQLClient, db: Database, dev_token: Any, resources: Resources
) -> None:
    hospital = await add_hospital(db, "bv-crypto")
    day = future_day()
    await publish(gql, staff(dev_token, hospital), hospital, day=day)
    (slot,) = (await slot_ids(gql, hospital, day))[:1]
    owner = dev_token("crypto-patient")
    patient = await profile(gql, owner, bhyt=BHYT)
    booked = await book(gql, owner, slot, patient, reason=REASON)
    assert booked["reason"] == REASON

    stored = await db["health_appointments"].find_one({"_id": ObjectId(booked["id"])})
    stored_profile = await db["health_patient_profiles"].find_one({"_id": ObjectId(patient)})
    for value, plain in ((stored["reason"], REASON), (stored_profile["bhytNumber"], BHYT)):
        assert value.startswith("enc1:") and plain not in value
    assert await read_back(gql, owner) == (REASON, BHYT)

    # Rotation: the new key first, the old one still listed while values move.
    old = resources.get(FIELD_CIPHER)
    new_id = "rotated" + old.current
    text = new_key_text(new_id) + "," + ",".join(f"{k}:{_b64(v)}" for k, v in old.keys.items())
    resources.provide(FIELD_CIPHER, FieldCipher(*parse_keys(text)))
    try:
        assert (await registry.reencrypt(resources))["health"] >= 2
        assert (await registry.reencrypt(resources))["health"] == 0  # nothing left to move
        moved = await db["health_appointments"].find_one({"_id": ObjectId(booked["id"])})
        assert moved["reason"].startswith(f"enc1:{new_id}:")
        # The old key can go: everything reads under the new one alone.
        rotated = resources.get(FIELD_CIPHER)
        resources.provide(FIELD_CIPHER, FieldCipher(new_id, {new_id: rotated.keys[new_id]}))
        assert await read_back(gql, owner) == (REASON, BHYT)
        export = (await gql("{ myData }", token=owner))["data"]["myData"]["domains"]["health"]
        assert export["appointments"][0]["reason"] == REASON
        assert export["patientProfiles"][0]["bhytNumber"] == BHYT
    finally:  # both keys, for whatever runs next in this process
        both = {**old.keys, new_id: resources.get(FIELD_CIPHER).keys[new_id]}
        resources.provide(FIELD_CIPHER, FieldCipher(old.current, both))


def _b64(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
