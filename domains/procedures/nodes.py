"""``node(id:)`` for procedures: public, retired ones too (as `procedure(code:)` answers)."""

from domains.kernel.context import Info
from domains.kernel.node import Node, key_of
from domains.procedures.records import is_procedure_code
from domains.procedures.service import get_procedure
from domains.procedures.types import Procedure


async def find_node(info: Info, node_id: str) -> Node | None:
    """The procedure with this id."""
    code = key_of(node_id, "Procedure")
    if code is None or not is_procedure_code(code):
        return None
    document = await get_procedure(db=info.context.db, code=code)
    return Procedure.from_document(document, info.context.lang(None)) if document else None
