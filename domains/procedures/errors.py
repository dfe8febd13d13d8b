from typing import ClassVar

import strawberry

from domains.kernel.errors import DomainError, InvalidInput, NotFound, UserError
from domains.procedures.records import Problem


class InvalidProcedure(InvalidInput):
    """A procedure record failed validation; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        summary = "; ".join(str(problem) for problem in problems)
        super().__init__(f"The procedure is not valid: {summary}", field=first.field)
        self.problems = problems


class ProcedureNotFound(NotFound):
    code = "PROCEDURE_NOT_FOUND"

    def __init__(self, code: str) -> None:
        super().__init__(f"No procedure has the code {code[:40]}.")


class CodeTaken(DomainError):
    code = "PROCEDURE_CODE_TAKEN"

    def __init__(self, code: str) -> None:
        super().__init__(f"A procedure with the code {code[:40]} exists; update it instead.")


@strawberry.type(description="A procedure with this code exists already; update it instead.")
class ProcedureCodeTaken(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({CodeTaken.code})
