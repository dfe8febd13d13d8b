from domains.kernel.errors import DomainError, InvalidInput


class MissingScope(InvalidInput):
    """Staff roles are always scoped to the hospitals or schools they work for."""

    def __init__(self, role: str, field: str) -> None:
        super().__init__(
            f"The role {role} needs `{field}`: staff act only for their own.", field=field
        )


class InvalidUid(InvalidInput):
    def __init__(self) -> None:
        super().__init__("`uid` must be 1 to 128 characters (a Firebase user id).", field="uid")


class NoGrants(DomainError):
    code = "GRANT_NOT_FOUND"

    def __init__(self, uid: str) -> None:
        super().__init__(f"User {uid} holds no granted roles.")
