"""The small shared kernel: settings, database engine and unit of work, error base, clock."""
