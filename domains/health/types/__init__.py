"""GraphQL types of the health domain, by area; union members of expected failures in
``failures``, inputs in ``inputs``. Sensitive fields are filled only after a check."""
