"""Expected failures of the environment domain, each with its code."""

from domains.kernel.errors import DomainError, NotFound


class StationNotFound(NotFound):
    code = "STATION_NOT_FOUND"

    def __init__(self, station_id: str) -> None:
        super().__init__(f"No monitoring station has the id {station_id[:60]!r}.")


class ReportNotFound(NotFound):
    code = "REPORT_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("No report has this id (or it is not visible to you).")


class ReportLimitReached(DomainError):
    code = "REPORT_LIMIT_REACHED"


class ReportStatusConflict(DomainError):
    code = "REPORT_STATUS_CONFLICT"
