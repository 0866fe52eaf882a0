"""Receipts (回执) for DecMessage senders, shaped like the public ``DEC_RESULT`` receipt.

Elements, in order: ``CUS_CIQ_NO`` (the sender's 统一编号 / client reference),
``ENTRY_ID`` (our 18-digit 海关编号, empty before registration), ``NOTICE_DATE``
(Beijing time, ``yyyy-MM-ddTHH:mm:ss``), ``CHANNEL`` (result code, ``tables/decmessage.json``),
``NOTE`` (the decision and every reason with its location), ``CUSTOM_MASTER`` (申报地海关),
``D_DATE`` (acceptance date). No namespace, like the sample.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from edi.xml._lxml import etree
from edi.xml.answers import XmlAnswer
from edi.xml.codes import decmessage_table

#: China Standard Time; China has kept UTC+8 without daylight saving since 1991.
BEIJING = timezone(timedelta(hours=8), "CST")
_NOTE = 4000


def render_decmessage_receipt(answer: XmlAnswer) -> bytes:
    """The DEC_RESULT receipt for ``answer`` (UTF-8, with an XML declaration)."""
    root = etree.Element("DEC_RESULT")
    channel = decmessage_table("receipt_channels")[answer.status.value]
    label = decmessage_table("receipt_notes")[answer.status.value]
    fields: list[tuple[str, str | None]] = [
        ("CUS_CIQ_NO", answer.sender_reference),
        ("ENTRY_ID", answer.registered_number or ""),
        ("NOTICE_DATE", answer.issued_at.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S")),
        ("CHANNEL", channel),
        ("NOTE", _note(label, answer)),
        ("CUSTOM_MASTER", answer.customs_office),
        (
            "D_DATE",
            None
            if answer.accepted_at is None
            else answer.accepted_at.astimezone(BEIJING).strftime("%Y%m%d"),
        ),
    ]
    for name, value in fields:
        if value is not None:
            etree.SubElement(root, name).text = value
    rendered: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return rendered


def _note(label: str, answer: XmlAnswer) -> str:
    parts = [f"{label} ({answer.status.value})"]
    parts += [f"[{r.code}] {r.located()}" if r.code else r.located() for r in answer.reasons]
    return "; ".join(parts)[:_NOTE]


__all__ = ["BEIJING", "render_decmessage_receipt"]
