"""CUSRES writer: codes per status, reasons, duty groups, and the CUSRES segment tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from edi.edifact.cusres import (
    CusresContent,
    CusresStatus,
    DutyLine,
    Reason,
    duty_lines,
    render_cusres,
)
from edi.edifact.segments import DEFAULT_DELIMITERS, Delimiters, Segment
from edi.edifact.structure import (
    annotate,
    load_segment_specs,
    load_structure,
    validate_elements,
    validate_message,
)
from tests.unit.edifact.test_contrl import read_edifact, values

PREPARED = datetime(2026, 11, 28, 10, 30, tzinfo=UTC)
DECLARATION = "531620261000012345"


def content(status: CusresStatus, **changes: object) -> CusresContent:
    base = CusresContent(
        message_reference="R1",
        release="96B",
        declaration_number=DECLARATION,
        sender_reference="BRK-2026-0042",
        status=status,
        prepared=PREPARED,
        request_message_reference="M0042",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def segments_of(
    cusres: CusresContent, delimiters: Delimiters = DEFAULT_DELIMITERS
) -> list[Segment]:
    return read_edifact(render_cusres(cusres, delimiters=delimiters), delimiters)


def first(segments: list[Segment], tag: str) -> list[list[str]]:
    return values(next(s for s in segments if s.tag == tag))


REASONS = (
    Reason("LIC001", "Import licence missing for item 2", "CST", 31, 5, item=2),
    Reason("VAL", "Declared value below reference price", "MOA", 40),
    Reason("GEN1", "Declaration lodged outside office hours"),
)
DUTIES = duty_lines(
    [
        (2, "CUD", Decimal("8.0"), Decimal("12000.00"), Decimal("960.00"), "CNY"),
        (1, "CUD", Decimal("10"), Decimal("5000.00"), Decimal("500.00"), "CNY"),
        (1, "VAT", Decimal("13"), Decimal("5500.00"), Decimal("715.00"), "CNY"),
        (2, "EXC", None, None, Decimal("12.5"), "CNY"),
    ]
)


def test_registered_declaration() -> None:
    segments = segments_of(content(CusresStatus.REGISTERED))
    assert [(s.tag, values(s)) for s in segments] == [
        ("UNH", [["R1"], ["CUSRES", "D", "96B", "UN"]]),
        ("BGM", [["962"], [DECLARATION], ["9"]]),
        ("DTM", [["137", "202611281030", "203"]]),
        ("GIS", [["1"]]),
        ("RFF", [["ABE", "BRK-2026-0042"]]),
        ("RFF", [["AAE", DECLARATION]]),
        ("RFF", [["ACW", "M0042"]]),
        ("UNT", [["8"], ["R1"]]),
    ]


def test_rejection_names_the_senders_reference_and_the_reasons() -> None:
    cusres = content(CusresStatus.REJECTED, declaration_number=None, reasons=REASONS)
    segments = segments_of(cusres)
    assert first(segments, "BGM") == [["963"], ["BRK-2026-0042"], ["9"]]
    assert first(segments, "GIS") == [["2"]]
    assert [values(s)[0] for s in segments if s.tag == "RFF"] == [
        ["ABE", "BRK-2026-0042"],
        ["ACW", "M0042"],
    ]
    reasons = [(s.tag, values(s)) for s in segments if s.tag in ("ERP", "ERC", "FTX")]
    assert reasons == [
        ("ERP", [["2", "2"], ["CST", "31"]]),
        ("ERC", [["LIC001"]]),
        ("FTX", [["AAO"], [""], [""], ["Import licence missing for item 2"]]),
        ("ERP", [[""], ["MOA", "40"]]),
        ("ERC", [["VAL"]]),
        ("FTX", [["AAO"], [""], [""], ["Declared value below reference price"]]),
        ("ERP", [["1"]]),
        ("ERC", [["GEN1"]]),
        ("FTX", [["AAO"], [""], [""], ["Declaration lodged outside office hours"]]),
    ]


def test_rejection_without_reasons_is_rejected_without_comment() -> None:
    segments = segments_of(content(CusresStatus.REJECTED))
    assert first(segments, "GIS") == [["3"]]
    assert not [s for s in segments if s.tag == "ERP"]


@pytest.mark.parametrize(
    ("status", "gis"),
    [
        (CusresStatus.REGISTERED, "1"),
        (CusresStatus.RELEASED, "4"),
        (CusresStatus.UNDER_CONTROL, "5"),
        (CusresStatus.DOCUMENTS_REQUIRED, "6"),
    ],
)
def test_processing_indicator_per_status(status: CusresStatus, gis: str) -> None:
    segments = segments_of(content(status))
    assert first(segments, "GIS") == [[gis]]
    assert first(segments, "BGM") == [["962"], [DECLARATION], ["9"]]


def test_invalidation_is_a_cancellation_without_processing_indicator() -> None:
    segments = segments_of(content(CusresStatus.INVALIDATED, reasons=REASONS[2:]))
    assert first(segments, "BGM") == [["962"], [DECLARATION], ["1"]]
    assert not [s for s in segments if s.tag == "GIS"]


def test_duties_are_grouped_per_customs_item() -> None:
    segments = segments_of(content(CusresStatus.RELEASED, duties=DUTIES))
    tail = [(s.tag, values(s)) for s in segments][-15:]
    assert tail == [
        ("DOC", [["929"], [DECLARATION]]),
        ("CST", [["1"]]),
        ("TAX", [["1"], ["CUD"], [""], [""], ["", "", "", "10"]]),
        ("MOA", [["125", "5000.00", "CNY"]]),
        ("MOA", [["124", "500.00", "CNY"]]),
        ("TAX", [["1"], ["VAT"], [""], [""], ["", "", "", "13"]]),
        ("MOA", [["125", "5500.00", "CNY"]]),
        ("MOA", [["124", "715.00", "CNY"]]),
        ("CST", [["2"]]),
        ("TAX", [["1"], ["CUD"], [""], [""], ["", "", "", "8.0"]]),
        ("MOA", [["125", "12000.00", "CNY"]]),
        ("MOA", [["124", "960.00", "CNY"]]),
        ("TAX", [["1"], ["EXC"]]),
        ("MOA", [["124", "12.5", "CNY"]]),
        ("UNT", [[str(len(segments))], ["R1"]]),
    ]


@pytest.mark.parametrize(("release", "tax_group"), [("96B", "SG11"), ("99B", "SG12")])
def test_tax_lands_in_the_item_group_of_the_directory(release: str, tax_group: str) -> None:
    cst_group = "SG10" if release == "96B" else "SG11"
    cusres = content(CusresStatus.RELEASED, release=release, duties=DUTIES, reasons=REASONS)
    segments = segments_of(cusres)
    paths = annotate(load_structure(f"D{release}", "CUSRES"), segments)
    taxes = [path for seg, path in paths if seg.tag == "TAX"]
    assert taxes == [
        (("SG6", 1), (cst_group, 1), (tax_group, 1)),
        (("SG6", 1), (cst_group, 1), (tax_group, 2)),
        (("SG6", 1), (cst_group, 2), (tax_group, 1)),
        (("SG6", 1), (cst_group, 2), (tax_group, 2)),
    ]
    assert {path for seg, path in paths if seg.tag == "ERC"} == {
        (("SG4", 1),),
        (("SG4", 2),),
        (("SG4", 3),),
    }


@pytest.mark.parametrize("release", ["96B", "99B"])
@pytest.mark.parametrize("status", list(CusresStatus))
def test_every_response_passes_the_cusres_table(release: str, status: CusresStatus) -> None:
    cusres = content(status, release=release, reasons=REASONS, duties=DUTIES)
    segments = segments_of(cusres)
    assert validate_message(load_structure(f"D{release}", "CUSRES"), segments) == []
    assert validate_elements(load_segment_specs(f"D{release}"), segments) == []
    assert values(segments[0])[1] == ["CUSRES", "D", release, "UN"]
    assert values(segments[-1]) == [[str(len(segments))], ["R1"]]


def test_long_text_is_cut_into_five_lines_of_70() -> None:
    reason = Reason("TXT", "word " * 200)
    ftx = first(segments_of(content(CusresStatus.REJECTED, reasons=(reason,))), "FTX")
    lines = ftx[3]
    assert len(lines) == 5
    assert all(len(line) <= 70 for line in lines)
    assert lines[-1].endswith("...")


def test_special_characters_and_decimal_comma_survive() -> None:
    comma = Delimiters(decimal=",")
    reason = Reason("Q1", "Value 'X' + tax: 5?")
    line = DutyLine(1, "VAT", Decimal("13.5"), None, Decimal("1.25"), "CNY")
    segments = segments_of(content(CusresStatus.RELEASED, reasons=(reason,), duties=(line,)), comma)
    assert first(segments, "FTX")[3] == ["Value 'X' + tax: 5?"]
    assert first(segments, "TAX")[4] == ["", "", "", "13,5"]
    assert first(segments, "MOA") == [["124", "1,25", "CNY"]]


def test_reason_code_longer_than_erc_allows_is_refused() -> None:
    cusres = content(CusresStatus.REJECTED, reasons=(Reason("TOO-LONG-1", "x"),))
    with pytest.raises(ValueError, match=r"an\.\.8"):
        render_cusres(cusres, delimiters=DEFAULT_DELIMITERS)


def test_unsupported_directory_is_refused() -> None:
    with pytest.raises(ValueError, match="D01B"):
        render_cusres(
            content(CusresStatus.REGISTERED, release="01B"), delimiters=DEFAULT_DELIMITERS
        )


def test_rendered_text_tokenizes_with_the_project_tokenizer() -> None:
    tokenizer = pytest.importorskip("edi.edifact.tokenizer")
    cusres = content(CusresStatus.RELEASED, reasons=REASONS, duties=DUTIES)
    body = render_cusres(cusres, delimiters=DEFAULT_DELIMITERS)
    interchange = f"UNB+UNOC:3+CNCUS+BROKER01+261128:1030+1'{body}UNZ+1+1'".encode()
    segments = list(tokenizer.tokenize(interchange))
    message = segments[1:-1]
    assert [s.tag for s in message] == [s.tag for s in segments_of(cusres)]
    assert validate_message(load_structure("D96B", "CUSRES"), message) == []


def test_duty_segments_are_those_of_the_generic_writer() -> None:
    """Repeated TAX segments and MOA amounts are written the way seg + serialize write them,
    rates written as given (0.13 and 0.130 are equal Decimals, not the same text)."""
    from edi.edifact.serializer import seg, serialize

    duties = (
        DutyLine(1, "CUD", None, Decimal("1000.00"), Decimal("80.00"), "CNY"),
        DutyLine(1, "VAT", Decimal("0.13"), Decimal("1080.00"), Decimal("140.40"), "CNY"),
        DutyLine(2, "VAT", Decimal("0.130"), None, Decimal("1E+1"), "CN?"),
        DutyLine(2, "CUD", None, Decimal("5"), Decimal("0.4"), ""),
    )
    mark = Delimiters(decimal=",")
    text = render_cusres(content(CusresStatus.RELEASED, duties=duties), delimiters=mark)
    expected = serialize(
        [
            seg("DOC", "929", DECLARATION),
            seg("CST", 1),
            seg("TAX", "1", "CUD", None, None, (None, None, None, None)),
            seg("MOA", ("125", Decimal("1000.00"), "CNY"), decimal=","),
            seg("MOA", ("124", Decimal("80.00"), "CNY"), decimal=","),
            seg("TAX", "1", "VAT", None, None, (None, None, None, Decimal("0.13")), decimal=","),
            seg("MOA", ("125", Decimal("1080.00"), "CNY"), decimal=","),
            seg("MOA", ("124", Decimal("140.40"), "CNY"), decimal=","),
            seg("CST", 2),
            seg("TAX", "1", "VAT", None, None, (None, None, None, Decimal("0.130")), decimal=","),
            seg("MOA", ("124", Decimal("1E+1"), "CN?"), decimal=","),
            seg("TAX", "1", "CUD", None, None, (None, None, None, None)),
            seg("MOA", ("125", Decimal("5"), ""), decimal=","),
            seg("MOA", ("124", Decimal("0.4"), ""), decimal=","),
        ],
        mark,
    )
    assert expected in text
    assert "TAX+1+VAT+++:::0,13'" in text and "TAX+1+VAT+++:::0,130'" in text


def test_one_instant_in_two_time_zones_is_written_as_each_wall_time() -> None:
    # The stamp is remembered per instant *and* zone: equal datetimes of two zones differ.
    shanghai = PREPARED.astimezone(timezone(timedelta(hours=8)))
    assert shanghai == PREPARED
    assert first(segments_of(content(CusresStatus.RELEASED)), "DTM") == [
        ["137", "202611281030", "203"]
    ]
    assert first(segments_of(content(CusresStatus.RELEASED, prepared=shanghai)), "DTM") == [
        ["137", "202611281830", "203"]
    ]


def test_remembered_segments_follow_the_values_written() -> None:
    # CST, TAX and UNT come from the writer's memory after the first answer: a rate written
    # 0.13 in one answer and 0.130 in the next keeps its own text, the counts their own.
    lines = (DutyLine(1, "VAT", Decimal("0.13"), None, Decimal("1.30"), "CNY"),)
    once = render_cusres(
        content(CusresStatus.RELEASED, duties=lines), delimiters=DEFAULT_DELIMITERS
    )
    other = (
        DutyLine(1, "VAT", Decimal("0.130"), None, Decimal("1.30"), "CNY"),
        DutyLine(2, "VAT", Decimal("0.130"), None, Decimal("1.30"), "CNY"),
    )
    again = render_cusres(
        content(CusresStatus.RELEASED, duties=other), delimiters=DEFAULT_DELIMITERS
    )
    assert "TAX+1+VAT+++:::0.13'" in once and "TAX+1+VAT+++:::0.130'" in again
    assert "CST+2'" in again
    assert once.endswith(f"UNT+{once.count(chr(39))}+R1'")  # each counts its own segments
    assert again.endswith(f"UNT+{again.count(chr(39))}+R1'")
    assert once.count(chr(39)) != again.count(chr(39))
