"""``node(id:)`` for environment: monitoring stations (public, as `monitoringStations`), and
pollution reports and their photos (as `pollutionReport` shows them to the caller)."""

from domains.environment import reports
from domains.environment.errors import ReportNotFound
from domains.environment.report_types import PollutionReport, ReportPhoto
from domains.environment.repository import EnvironmentStore
from domains.environment.types import MonitoringStation
from domains.kernel.context import Info
from domains.kernel.node import Node, object_id_of


async def find_node(info: Info, node_id: str) -> Node | None:
    """The environment object with this id, as the caller may see it."""
    language = info.context.lang(None)
    if object_id_of(node_id) is None:
        station = await info.context.scoped(EnvironmentStore.of).stations.find(node_id)
        return MonitoringStation.from_document(station, language) if station else None
    caller = info.context.caller(EnvironmentStore.of)
    try:
        report, seen = await reports.get_report(caller=caller, report_id=node_id)
    except ReportNotFound:
        photo = await reports.get_photo(caller=caller, photo_id=node_id)
        return ReportPhoto.of(photo) if photo is not None else None
    return PollutionReport.of(report, seen, caller.principal.uid, language)
