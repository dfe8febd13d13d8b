"""Persisted queries: Apollo's automatic persisted queries (APQ), and the allow-list of production.

APQ (Apollo's protocol): the client sends ``extensions.persistedQuery.sha256Hash`` without the
document; an unknown hash answers the error ``PersistedQueryNotFound`` and the client sends the
document with its hash once, which registers it. Registrations live in MongoDB (every replica
knows them), bounded in number (the least recently registered go first) and in size.

Allow-list (production): only the operations of ``graphql/operations/`` run, by hash or by text.
Their hashes are in ``api/persisted_queries.json`` (``xuthanh persisted-queries`` writes it,
a test checks it is current): each is the sha256 of the operation printed in graphql-core's
canonical form with the fragments it uses, so the layout of a client's text does not matter.
"""

import ast
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pymongo import DESCENDING, IndexModel

from api.settings import PROJECT_ROOT
from domains.kernel.clock import utcnow
from domains.kernel.repository import Repository
from domains.kernel.types import Database
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

logger = logging.getLogger("xuthanh.persisted")

OPERATIONS_DIR = PROJECT_ROOT / "graphql" / "operations"
# Package data (pyproject: *.json), so the production image, which installs the package, has it.
MANIFEST_PATH = Path(__file__).resolve().parent / "persisted_queries.json"
ASSISTANT_ACTIONS = PROJECT_ROOT / "bots" / "actions"
LONGEST_DOCUMENT = 20_000  # characters of a registered APQ document


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a persisted-query request is not executed: the GraphQL error the client gets."""

    message: str
    code: str

    def error(self) -> GraphQLError:
        return GraphQLError(self.message, extensions={"code": self.code})


NOT_FOUND = Refused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
HASH_MISMATCH = Refused("provided sha does not match query", "INVALID_PERSISTED_QUERY")
NOT_ALLOWED = Refused(
    "Only the app's registered operations run on this server (graphql/operations).",
    "OPERATION_NOT_ALLOWED",
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.add(node.name.value)


def canonical_operations(document: DocumentNode) -> dict[str | None, str]:
    """Each operation of a document printed with the fragments it uses (sorted by name)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    printed: dict[str | None, str] = {}
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        used: set[str] = set()
        pending: list[Any] = [operation]
        while pending:
            spreads = _Spreads()
            visit(pending.pop(), spreads)
            for name in spreads.names - used:
                if name in fragments:
                    used.add(name)
                    pending.append(fragments[name])
        parts = [operation, *(fragments[fragment] for fragment in sorted(used))]
        key = operation.name.value if operation.name else None
        printed[key] = "\n\n".join(print_ast(part) for part in parts)
    return printed


def assistant_documents(directory: Path = ASSISTANT_ACTIONS) -> dict[str, str]:
    """The GraphQL documents the assistant's actions send (module-level string constants that
    start with ``query`` or ``mutation``), by ``file:NAME``: the API's one server-side client."""
    documents: dict[str, str] = {}
    for path in sorted(directory.glob("*.py")):
        for node in ast.parse(path.read_text("utf-8")).body:
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)):
                continue
            text = node.value.value
            if isinstance(text, str) and text.strip().startswith(("query", "mutation")):
                target = node.targets[0]
                name = target.id if isinstance(target, ast.Name) else "?"
                documents[f"bots/actions/{path.name}:{name}"] = text
    return documents


def build_manifest(sources: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """``{hash: {"name", "source", "body"}}`` of every operation of ``{source: document}``."""
    manifest: dict[str, dict[str, str]] = {}
    for source, text in sorted(sources.items()):
        for name, body in canonical_operations(parse(text)).items():
            manifest[sha256(body)] = {"name": name or "", "source": source, "body": body}
    return dict(sorted(manifest.items()))


def manifest_text(directory: Path = OPERATIONS_DIR, assistant: Path = ASSISTANT_ACTIONS) -> str:
    """The allow-list: the apps' operations and the assistant's documents."""
    sources = {p.name: p.read_text("utf-8") for p in directory.glob("*.graphql")}
    operations = build_manifest({**sources, **assistant_documents(assistant)})
    return json.dumps({"version": 1, "operations": operations}, ensure_ascii=False, indent=1) + "\n"


def load_allow_list(path: Path = MANIFEST_PATH) -> dict[str, str]:
    """Hash to document, from the committed manifest."""
    operations = json.loads(path.read_text("utf-8"))["operations"]
    return {digest: entry["body"] for digest, entry in operations.items()}


class PersistedQueryRepository(Repository):
    collection_name = "graphql_persisted_queries"
    indexes = (
        # register(): the oldest registrations are evicted past the bound
        IndexModel([("registeredAt", DESCENDING)], name="registered_at"),
    )

    async def find(self, digest: str) -> str | None:
        document = await self.collection.find_one({"_id": digest}, {"query": 1})
        return str(document["query"]) if document else None

    async def register(self, digest: str, query: str, *, now: datetime, limit: int) -> None:
        await self.collection.update_one(
            {"_id": digest},
            {"$setOnInsert": {"query": query, "registeredAt": now}},
            upsert=True,
        )
        excess = await self.collection.count_documents({}) - limit
        if excess > 0:
            oldest = self.collection.find({}, {"_id": 1}, sort=[("registeredAt", 1)], limit=excess)
            ids = [document["_id"] async for document in oldest]
            await self.collection.delete_many({"_id": {"$in": ids}})


def _hash_of(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if not isinstance(persisted, dict) or persisted.get("version", 1) != 1:
        return None
    digest = persisted.get("sha256Hash")
    return digest.lower() if isinstance(digest, str) else None


class PersistedQueries:
    """Turns a request's ``query`` and ``extensions`` into the document to run, or a refusal."""

    def __init__(
        self, db: Database, *, allow_list: Mapping[str, str] | None, limit: int = 5000
    ) -> None:
        self.repository = PersistedQueryRepository(db)
        self.allow_list = allow_list
        self.limit = limit
        self._known: OrderedDict[str, str] = OrderedDict()  # hash -> document, most recent last
        self._allowed_texts: OrderedDict[str, bool] = OrderedDict()

    def _remember(self, digest: str, query: str) -> None:
        self._known[digest] = query
        self._known.move_to_end(digest)
        while len(self._known) > 1000:
            self._known.popitem(last=False)

    async def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None, operation: str | None
    ) -> tuple[str | None, str | None] | Refused:
        """(document to run, hash to register once it ran) or why not.

        With the allow-list, an unknown hash still answers PersistedQueryNotFound: Apollo clients
        then send the text (hashed their way), which runs, and is remembered, if it is one of
        the listed operations.
        """
        digest = _hash_of(extensions)
        to_register = None
        if digest is not None and query is None:
            if self.allow_list is not None and digest in self.allow_list:
                return self.allow_list[digest], None
            query = self._known.get(digest) or await self.repository.find(digest)
            if query is None:
                return NOT_FOUND
            self._remember(digest, query)
        elif digest is not None and query is not None:
            if sha256(query) != digest:
                return HASH_MISMATCH
            to_register = digest if digest not in self._known else None
        if (
            self.allow_list is not None
            and query is not None
            and not self._allowed(query, operation)
        ):
            return NOT_ALLOWED
        return query, to_register

    def _allowed(self, query: str, operation: str | None) -> bool:
        """Whether the document's operation is one of the list (in canonical form)."""
        assert self.allow_list is not None  # noqa: S101 - only called in allow-list mode
        key = sha256(f"{operation}\n{query}")
        allowed = self._allowed_texts.get(key)
        if allowed is None:
            try:
                printed = canonical_operations(parse(query))
            except GraphQLError:
                return True  # the parser's error is the answer
            body = printed.get(operation) if operation else next(iter(printed.values()), None)
            allowed = len(printed) == 1 or operation is not None
            allowed = allowed and body is not None and sha256(body) in self.allow_list
            self._allowed_texts[key] = allowed
            while len(self._allowed_texts) > 1000:
                self._allowed_texts.popitem(last=False)
        return allowed

    async def register(self, digest: str, query: str) -> None:
        """Store a document that ran (bounded; a document too long is run but not stored)."""
        if len(query) > LONGEST_DOCUMENT:
            return
        await self.repository.register(digest, query, now=utcnow(), limit=self.limit)
        self._remember(digest, query)
