"""Errors of the education domain."""

from domains.kernel.errors import InvalidInput, NotFound


class SchoolNotFound(NotFound):
    def __init__(self, school_id: str) -> None:
        super().__init__(f"No school has id {school_id!r}.", field="schoolId")


class RoundNotFound(NotFound):
    def __init__(self, round_id: str) -> None:
        super().__init__(f"No admission round has id {round_id!r}.", field="id")


class UnknownCommunes(InvalidInput):
    def __init__(self, codes: list[str], field: str) -> None:
        shown = ", ".join(codes[:10])
        super().__init__(
            f"Unknown ward/commune code(s): {shown}. Use the 5-digit codes listed by the "
            "`communes` query.",
            field=field,
        )
