"""The ANSI X12 channel: 309 customs manifests in; TA1, 997, 999, 355 and 350 out.

Reading never raises: :func:`read_x12` returns an :class:`X12ReadResult` whose issues carry
the level (interchange, group, transaction, segment, element, content), the X12 code of the
answer that reports them, and positions (segment index, set position, element, line, byte
offset). pyx12 checks the envelopes; the ISA, the tokenizer guards and the writers are ours.
See ``docs/x12-channel.md`` and ``docs/adr/0002-x12-reader.md``.

Writers take control numbers from the caller and raise :class:`X12WriteError` only when
asked for something X12 cannot express.
"""

from edi.x12.acks import AckControl, render_997, render_999, render_ta1
from edi.x12.customs350 import CustomsStatus, Disposition, render_350
from edi.x12.customs355 import render_355
from edi.x12.errors import (
    ContentError,
    ElementError,
    GroupError,
    InterchangeNote,
    Level,
    SegmentError,
    SetError,
    Severity,
    X12Issue,
    X12WriteError,
)
from edi.x12.isa import Delimiters
from edi.x12.manifest import (
    BillOfLading,
    Container,
    Conveyance,
    GoodsLine,
    Manifest,
    ManifestParty,
    PartyRole,
    PortCall,
    Reference,
)
from edi.x12.reader import read_x12
from edi.x12.results import (
    AckCode,
    FunctionalGroup,
    InterchangeInfo,
    TransactionSet,
    X12ReadResult,
)
from edi.x12.tokenizer import RawSegment
from edi.x12.writer import Envelope

__all__ = [
    "AckCode",
    "AckControl",
    "BillOfLading",
    "Container",
    "ContentError",
    "Conveyance",
    "CustomsStatus",
    "Delimiters",
    "Disposition",
    "ElementError",
    "Envelope",
    "FunctionalGroup",
    "GoodsLine",
    "GroupError",
    "InterchangeInfo",
    "InterchangeNote",
    "Level",
    "Manifest",
    "ManifestParty",
    "PartyRole",
    "PortCall",
    "RawSegment",
    "Reference",
    "SegmentError",
    "SetError",
    "Severity",
    "TransactionSet",
    "X12Issue",
    "X12ReadResult",
    "X12WriteError",
    "read_x12",
    "render_350",
    "render_355",
    "render_997",
    "render_999",
    "render_ta1",
]
