"""The job queue: procrastinate on PostgreSQL, the same task bodies in process on SQLite.

Below the application layer and above the intake: the use cases of :mod:`clearance.app`
enqueue work here and the worker front door runs it (docs/operations.md, ADR 0007).
"""
