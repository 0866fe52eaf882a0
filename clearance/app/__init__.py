"""The application layer: every use case, with typed inputs and results, in one unit of work.

Front doors (the ``customs`` command, the HTTP API, workers) open one :class:`Application` per
process and call the use cases of the area modules with the acting :class:`Actor`:

- :mod:`.messages` — submit an interchange, retry a failed message, list messages
- :mod:`.declarations` — list, show, explain a decision, reassess it
- :mod:`.events` — the event log after a cursor
- :mod:`.officer` — the queue and decisions
- :mod:`.registries`, :mod:`.tariffs` — reference data; tariff lookups and quotes
- :mod:`.rebates` — exit confirmation and rebate batches
- :mod:`.analysis` — replay a candidate risk ruleset

What an actor may call and see is decided in one place, :mod:`.access`. Errors a front door
translates are in :mod:`.errors`; results are the records of :mod:`.views` and of each module.
"""

from clearance.app import (
    analysis,
    declarations,
    events,
    messages,
    officer,
    rebates,
    registries,
    tariffs,
)
from clearance.app.actor import LOCAL_OPERATOR, OFFICE_ROLES, Actor, Role
from clearance.app.context import Application, open_application
from clearance.app.documents import Document
from clearance.app.errors import (
    ConflictError,
    NotFoundError,
    NotPermittedError,
    RefusedError,
    StoreUnavailableError,
)
from clearance.flow.outcome import (
    Acknowledgement,
    DeclarationOutcome,
    ErrorReport,
    InterchangeStatus,
    SubmissionOutcome,
)
from clearance.intake.pipeline import ProcessingError

__all__ = [
    "LOCAL_OPERATOR",
    "OFFICE_ROLES",
    "Acknowledgement",
    "Actor",
    "Application",
    "ConflictError",
    "DeclarationOutcome",
    "Document",
    "ErrorReport",
    "InterchangeStatus",
    "NotFoundError",
    "NotPermittedError",
    "ProcessingError",
    "RefusedError",
    "Role",
    "StoreUnavailableError",
    "SubmissionOutcome",
    "analysis",
    "declarations",
    "events",
    "messages",
    "officer",
    "open_application",
    "rebates",
    "registries",
    "tariffs",
]
