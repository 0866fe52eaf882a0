"""Officer work on declarations automation flagged: the queue and the decisions."""
