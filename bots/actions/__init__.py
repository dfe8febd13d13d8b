"""Custom actions: every fact comes from the Xứ Thanh GraphQL API (the bot is one more client)."""
