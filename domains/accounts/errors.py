from domains.kernel.errors import InvalidInput


class MissingScope(InvalidInput):
    """Staff roles are always scoped to the hospitals or schools they work for."""

    def __init__(self, role: str, field: str) -> None:
        super().__init__(
            f"The role {role} needs `{field}`: staff act only for their own.", field=field
        )


class InvalidUid(InvalidInput):
    def __init__(self) -> None:
        super().__init__("`uid` must be 1 to 128 characters (a Firebase user id).", field="uid")
