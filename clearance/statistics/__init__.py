"""Trade statistics: facts per released item, cross-tabs, disclosure control and its audit.

- :mod:`.facts` — what a released declaration counts (pure)
- :mod:`.refresh` — the incremental refresh over the event log
- :mod:`.columns` — the columnar copy of the facts (numpy) the tables are computed from
- :mod:`.cube` — one- and two-way cross-tabs with trader concentration per cell (pure)
- :mod:`.disclosure`, :mod:`.protection` — primary rules, complements and the LP audit (pure)
- :mod:`.published` — a table as published, with flags; :mod:`.formats` — CSV, JSON, SDMX-CSV
"""
