"""Education: schools, their catchments, admission rounds, and school announcements."""
