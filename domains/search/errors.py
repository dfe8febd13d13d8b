"""Errors of the search engine that callers map to their own results."""


class QueryTooLong(ValueError):
    """The search text is longer than the index accepts (domains answer ValidationFailed)."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"Search text is {length} characters long; at most {limit} are accepted.")
        self.length = length
        self.limit = limit
