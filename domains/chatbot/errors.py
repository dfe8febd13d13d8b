from domains.kernel.errors import DomainError, InvalidInput


class MessageTooLong(InvalidInput):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"`text` is longer than {limit} characters: ask one question at a time.",
            field="text",
        )


class EmptyMessage(InvalidInput):
    def __init__(self) -> None:
        super().__init__("`text` is empty: type a question.", field="text")


class RateLimited(DomainError):
    """Too many messages from one user or address in the current minute."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many messages; send again in {retry_after_seconds} s.",
            retryAfterSeconds=retry_after_seconds,
        )
        self.retry_after_seconds = retry_after_seconds
