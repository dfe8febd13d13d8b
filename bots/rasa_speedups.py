"""A CPU cut in Rasa 3.6 itself, applied when the Rasa server loads bots/tracker_store.py.

Rasa checks every action server response with ``jsonschema.validate(response, schema)``, which
first validates the schema itself against the JSON Schema meta-schema, then builds a validator:
for Rasa's large events schema that was about half of the Rasa server's CPU per message (py-spy,
bench/chatbot.py). Here the schema is checked once and its validator kept; each response is
validated exactly as ``jsonschema.validate`` does (same errors, same best match, same message).

Applied only to the Rasa version it was written against; any other version runs unchanged.
"""

import logging
from typing import Any, Callable, Dict, Text

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
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


def apply() -> bool:
    """Install the cut once; False (and Rasa unchanged) on another Rasa version."""
    global _applied
    import rasa
    from rasa.core.actions.action import RemoteAction

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
    _applied = True
    return True
