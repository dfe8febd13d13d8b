"""CPU cuts in Rasa 3.6 itself, applied when the Rasa server loads bots/tracker_store.py.

1. Rasa checks every action server response with ``jsonschema.validate(response, schema)``, which
first validates the schema itself against the JSON Schema meta-schema, then builds a validator:
for Rasa's large events schema that was about half of the Rasa server's CPU per message (py-spy,
bench/chatbot.py). Here the schema is checked once and its validator kept; each response is
validated exactly as ``jsonschema.validate`` does (same errors, same best match, same message).

2. Rasa calls the action server through ``EndpointConfig.request``, which opens a new aiohttp
session, hence a new TCP connection (and a new connection for the action server to set up), for
every action run. Here the requests share one session per event loop with kept-alive
connections, and are otherwise made as Rasa makes them (same headers, authentication, timeout,
status check and JSON decoding; no cookies kept, as a new session keeps none). An idle
connection is closed by this side after KEEP_ALIVE_SECONDS, before the action server's own
keep-alive timeout (Sanic's 5 s) ends it, so a request never goes out on a connection the
server is closing.

Applied only to the Rasa version it was written against; any other version runs unchanged.
"""

import asyncio
import logging
import weakref
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
KEEP_ALIVE_SECONDS = 2.0
_applied = False


def _cached_validation() -> Callable[[Any, Dict[Text, Any]], bool]:
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    original = RemoteAction._validate_action_result
    spec = RemoteAction.action_response_format_spec

    def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
        if type(self).action_response_format_spec is not spec:
            return original(self, result)  # a subclass with its own schema
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    return _validate_action_result


def _pooled_request() -> Callable[..., Any]:
    import os
    import ssl

    import aiohttp
    from aiohttp import ContentTypeError
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    sessions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession]" = (
        weakref.WeakKeyDictionary()
    )

    def session() -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        found = sessions.get(loop)
        if found is None or found.closed:
            found = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            )
            sessions[loop] = found
        return found

    async def request(
        self: Any,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        # rasa.utils.endpoints.EndpointConfig.request, with a shared session.
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if "headers" in kwargs:
            headers.update(kwargs["headers"])
            del kwargs["headers"]
        if self.headers:
            headers.update(self.headers)
        url = concat_url(self.url, subpath)
        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise FileNotFoundException(
                    f"Failed to find certificate file, "
                    f"'{os.path.abspath(self.cafile)}' does not exist."
                ) from e
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        async with session().request(
            method,
            url,
            headers=headers,
            auth=auth,
            params=self.combine_parameters(kwargs),
            compress=compress,
            ssl=sslcontext,
            **kwargs,
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(
                    response.status, response.reason, await response.content.read()
                )
            try:
                return await response.json()
            except ContentTypeError:
                return None

    return request


def _sequential_run() -> Callable[..., Dict[Text, Any]]:
    from rasa.engine.exceptions import GraphRunError

    def order(self: Any, targets: Tuple[Text, ...]) -> List[Tuple[Text, List[Text]]]:
        """The minimal graph's nodes, each after the nodes it needs, with what it needs."""
        orders = self.__dict__.setdefault("_xuthanh_orders", {})
        if targets not in orders:
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            done: List[Tuple[Text, List[Text]]] = []
            seen: set = set()

            def visit(name: Text) -> None:
                if name in seen or name not in schema.nodes:
                    return
                seen.add(name)
                needs = list(schema.nodes[name].needs.values())
                for need in needs:
                    visit(need)
                done.append((name, needs))

            for name in schema.nodes:
                visit(name)
            orders[targets] = done
        found: List[Tuple[Text, List[Text]]] = orders[targets]
        return found

    def run(
        self: Any,
        inputs: Optional[Dict[Text, Any]] = None,
        targets: Optional[List[Text]] = None,
    ) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        steps = order(self, tuple(run_targets))
        results: Dict[Text, Any] = {}
        if inputs:
            names = {name for name, _ in steps}
            self._add_inputs_to_graph(inputs, {name: None for name in names})
            results.update((name, (name, value)) for name, value in inputs.items())
        try:
            for name, needs in steps:
                if name not in results:
                    node = self._instantiated_nodes[name]
                    results[name] = node(*[results.get(need, need) for need in needs])
            return dict(results.get(target, target) for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    return run


def apply() -> bool:
    """Install the cut once; False (and Rasa unchanged) on another Rasa version."""
    global _applied
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.endpoints import EndpointConfig

    if _applied:
        return True
    if rasa.__version__ != RASA_VERSION:
        logger.warning(
            "rasa_speedups written for Rasa %s, found %s: not applied",
            RASA_VERSION,
            rasa.__version__,
        )
        return False
    RemoteAction._validate_action_result = _cached_validation()  # type: ignore[method-assign]
    EndpointConfig.request = _pooled_request()  # type: ignore[method-assign]
    DaskGraphRunner.run = _sequential_run()  # type: ignore[method-assign]
    _applied = True
    return True
