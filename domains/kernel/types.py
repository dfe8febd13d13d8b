"""Type aliases every domain shares, declared once."""

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
Database = AsyncDatabase[Document]
Collection = AsyncCollection[Document]
Session = AsyncClientSession
