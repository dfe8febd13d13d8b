"""Pieces every domain shares: folding, localized text, pagination, geo, errors, auth."""
