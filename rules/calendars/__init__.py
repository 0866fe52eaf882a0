"""Working-day calendars as data: one JSON file per administration (see rules.working_days)."""
