"""Ids of a facility's parts (departments and doctors). Their own keys ("noi", "bs-a") are
unique within their facility only; as Relay nodes they get a global id naming the facility too.
Every argument taking a department or doctor accepts either: ``resolve_parts`` turns what a
client sent into the facility's id and the local keys, and refuses a global id of another
type or of another facility than the one given, naming the field."""

from dataclasses import dataclass

from domains.kernel.errors import InvalidInput
from domains.kernel.node import decode_global_id, global_id

DEPARTMENT = "HospitalDepartment"
DOCTOR = "HospitalDoctor"


def part_id(type_name: str, hospital_id: str, key: str) -> str:
    """The global id of a department or doctor of a facility."""
    return str(global_id(type_name, f"{hospital_id}/{key}"))


def part_of(node_id: str, type_name: str) -> tuple[str, str] | None:
    """(facility id, local key) inside a part's global id; None for any other id. Facility
    ids hold no "/" (slugs such as "bv-da-khoa-tinh"); a local key may."""
    decoded = decode_global_id(node_id)
    if decoded is None or decoded[0] != type_name:
        return None
    hospital_id, _, key = decoded[1].partition("/")
    return (hospital_id, key) if hospital_id and key else None


@dataclass(frozen=True)
class Parts:
    hospital_id: str | None
    department_id: str | None
    doctor_id: str | None


def _local(
    value: str | None, type_name: str, field: str, hospital_id: str | None
) -> tuple[str | None, str | None]:
    """(facility id, local key) of ``value``: a local key stays as it is."""
    if not value or decode_global_id(value) is None:
        return hospital_id, value
    part = part_of(value, type_name)
    if part is None:
        raise InvalidInput(
            f"`{field}` is not a {type_name} id: send a `{type_name}`'s `id` or `key`.",
            field=field,
        )
    if hospital_id and part[0] != hospital_id:
        raise InvalidInput(
            f"`{field}` names a {type_name} of another facility than {hospital_id!r}: "
            "send one of that facility's departments or doctors.",
            field=field,
        )
    return part


def resolve_parts(
    hospital_id: str | None,
    department_id: str | None = None,
    doctor_id: str | None = None,
) -> Parts:
    """The facility and the local keys a client's ``hospitalId``/``departmentId``/``doctorId``
    stand for (either form of ids); a global id gives the facility when none was given."""
    hospital_id, department = _local(department_id, DEPARTMENT, "departmentId", hospital_id)
    hospital_id, doctor = _local(doctor_id, DOCTOR, "doctorId", hospital_id)
    return Parts(hospital_id=hospital_id, department_id=department, doctor_id=doctor)
