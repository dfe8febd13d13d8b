"""Accounts: the roles granted to signed-in users (identity itself lives in Firebase Auth)."""
