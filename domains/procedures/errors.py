import strawberry

from domains.kernel.errors import InvalidInput, UserError
from domains.procedures.records import Problem


class InvalidProcedure(InvalidInput):
    """A procedure record failed validation; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        summary = "; ".join(str(problem) for problem in problems)
        super().__init__(f"The procedure is not valid: {summary}", field=first.field)
        self.problems = problems


@strawberry.type(description="A procedure with this code exists already; update it instead.")
class ProcedureCodeTaken(UserError):
    pass
