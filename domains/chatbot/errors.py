from domains.kernel.errors import InvalidInput


class MessageTooLong(InvalidInput):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"`text` is longer than {limit} characters: ask one question at a time.",
            field="text",
        )


class EmptyMessage(InvalidInput):
    def __init__(self) -> None:
        super().__init__("`text` is empty: type a question.", field="text")


class RateLimited(Exception):
    """Too many messages from one user or address in the current minute."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("rate limited")
        self.retry_after_seconds = retry_after_seconds
