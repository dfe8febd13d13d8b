"""Notifications: devices, topics, the inbox, and push through Firebase from a durable outbox."""
