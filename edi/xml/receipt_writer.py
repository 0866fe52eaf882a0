"""Receipts (回执) for DecMessage senders, shaped like the public ``DEC_RESULT`` receipt.

Elements, in order: ``CUS_CIQ_NO`` (the sender's 统一编号 / client reference),
``ENTRY_ID`` (our 18-digit 海关编号, empty before registration), ``NOTICE_DATE``
(Beijing time, ``yyyy-MM-ddTHH:mm:ss``), ``CHANNEL`` (result code, ``tables/decmessage.json``),
``NOTE`` (the decision and every reason with its location, in Chinese beside the English
where the reason has Chinese words), ``CUSTOM_MASTER`` (申报地海关), ``D_DATE``
(acceptance date). No namespace, like the sample.

Then, when the answer carries assessed duties, our own ``DEC_TAX`` extension: one
``TAX_LIST`` per duty line (``G_NO`` 项号, ``TAX_TYPE`` UNCL 5153 as in CUSRES TAX, ``TAX_NAME``
in Chinese, ``TAX_BASE``, ``TAX_RATE``, ``TAX_AMOUNT``, ``CURR``). The public receipt has no
duty element (the Single Window sends taxes in a separate 税单 message); ``DEC_TAX`` comes
last so a reader bound to the eight public elements reads the receipt as before.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from edi.xml._lxml import etree
from edi.xml.answers import AnswerReason, DutyLine, XmlAnswer
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
    if answer.duties:
        _duties(root, answer.duties)
    rendered: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return rendered


def _note(label: str, answer: XmlAnswer) -> str:
    parts = [f"{label} ({answer.status.value})"]
    parts += [f"[{r.code}] {_said(r)}" if r.code else _said(r) for r in answer.reasons]
    return "; ".join(parts)[:_NOTE]


def _said(reason: AnswerReason) -> str:
    """The reason in Chinese, then in English, when it has both (brokers and their foreign
    principals read the same receipt); else as it is, with its location."""
    zh = reason.text_zh
    if not zh or zh == reason.text:
        return reason.located()
    return reason.located(f"{zh} / {reason.text}")


def _duties(root: etree._Element, duties: tuple[DutyLine, ...]) -> None:
    """DEC_TAX: the assessed duties, item by item in the order they were assessed."""
    names = decmessage_table("receipt_tax_names")
    tax = etree.SubElement(root, "DEC_TAX")
    for duty in sorted(duties, key=lambda d: d.item_sequence):  # stable: keeps each item's order
        line = etree.SubElement(tax, "TAX_LIST")
        values = (
            ("G_NO", str(duty.item_sequence)),
            ("TAX_TYPE", duty.tax_type),
            ("TAX_NAME", names.get(duty.tax_type)),
            ("TAX_BASE", None if duty.base_amount is None else format(duty.base_amount, "f")),
            ("TAX_RATE", None if duty.rate is None else format(duty.rate, "f")),
            ("TAX_AMOUNT", format(duty.amount, "f")),
            ("CURR", duty.currency),
        )
        for name, value in values:
            if value is not None:
                etree.SubElement(line, name).text = value


__all__ = ["BEIJING", "render_decmessage_receipt"]
