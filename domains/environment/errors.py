"""Expected failures of the environment domain, each with its code."""

from domains.kernel.errors import NotFound


class StationNotFound(NotFound):
    code = "STATION_NOT_FOUND"

    def __init__(self, station_id: str) -> None:
        super().__init__(f"No monitoring station has the id {station_id[:60]!r}.")
