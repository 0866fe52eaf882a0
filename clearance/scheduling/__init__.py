"""The scheduler's parts: one leader among scheduler processes, and time slots claimed once.

Below the application layer (``clearance/app/scheduler.py`` runs APScheduler with them) and
above the queue and the store (docs/operations.md, ADR 0007).
"""
