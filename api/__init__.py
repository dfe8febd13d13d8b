"""The API process: settings, sign-in, schema composition, the Starlette app and the CLI."""
