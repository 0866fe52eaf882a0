"""CUSDEC → canonical through the default profile: fields, positions of errors, profiles."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi.edifact.cusdec import map_cusdec
from edi.edifact.cusdec_state import calendar_date
from edi.edifact.profile import ProfileError, load_profile
from edi.edifact.segments import Segment
from edi.edifact.tokenizer import tokenize
from edi.model import (
    ChargeMark,
    Declaration,
    DeclarationFunction,
    Direction,
    DocumentKind,
    PartyRole,
)
from edi.model.parties import IdentifierScheme

PROFILE = load_profile("default")
UNB = "UNB+UNOC:3+S:ZZZ+R:ZZZ+261128:0930+R1'"


def message(body: str, unb: str = UNB, una: str = "") -> list[Segment]:
    """Tokenize ``body`` (segments between UNH and UNT, one per line) as one message."""
    lines = [line for line in body.strip().splitlines() if line.strip()]
    text = "\n".join([una + unb, "UNH+1+CUSDEC:D:96B:UN'", *lines, f"UNT+{len(lines) + 2}+1'"])
    segments = list(tokenize((text + "\nUNZ+1+R1'").encode()))
    return [s for s in segments if s.tag not in ("UNB", "UNZ")]


MINIMAL = """
BGM+929+REF-1+9'
UNS+D'
CST+1+0304620000'
MOA+38:100.00:USD'
UNS+S'
"""


def test_minimal_import_maps_direction_reference_and_item() -> None:
    result = map_cusdec(message(MINIMAL), PROFILE)
    assert result.issues == ()
    declaration = result.declaration
    assert declaration is not None
    assert declaration.direction is Direction.IMPORT
    assert declaration.function is DeclarationFunction.ORIGINAL
    assert declaration.sender_reference == "REF-1"
    (item,) = declaration.items
    assert (item.sequence, item.commodity_code) == (1, "0304620000")
    assert item.value is not None and item.value.value == Decimal("100.00")


def test_export_code_and_header_fields() -> None:
    body = """
BGM+830+EXP-9+9'
CST++0110:ZTM+101:ZLT'
LOC+22+5316'
LOC+41+5349'
LOC+28+DE'
DTM+137:20261128:102'
MEA+WT+AAD+KGM:5230.5'
RFF+BM:MAEU231998765'
TDT+20+612W+1+++++9619907:146::MAERSK EMDEN:DK'
NAD+CZ+91440300MA5DC8E3L9::ZUS++SHENZHEN CO+1 ROAD+SHENZHEN++518000+CN'
TOD+++FOB'
MOA+39:186000.00:USD'
MOA+64:1200:USD'
MOA+ZIR:0.3'
UNS+D'
CST+1+8471300000'
FTX+AAA+++LAPTOPS'
LOC+28+DE'
MEA+AAE+ZDQ+NAR:300'
MOA+38:150000.00:USD'
UNS+S'
CNT+2:1'
"""
    declaration = map_cusdec(message(body), PROFILE).declaration
    assert declaration is not None
    assert declaration.direction is Direction.EXPORT
    assert (declaration.declaration_office, declaration.port_office) == ("5316", "5349")
    assert declaration.destination_country == "DE"
    assert str(declaration.declaration_date) == "2026-11-28"
    assert (declaration.trade_mode, declaration.levy_type) == ("0110", "101")
    assert declaration.gross_mass is not None and declaration.gross_mass.value == Decimal("5230.5")
    transport = declaration.transport
    assert transport is not None
    assert (transport.mode, transport.voyage, transport.conveyance_id) == ("1", "612W", "9619907")
    assert (transport.conveyance_name, transport.nationality) == ("MAERSK EMDEN", "DK")
    assert transport.transport_document == "MAEU231998765"
    consignor = declaration.party(PartyRole.CONSIGNOR)
    assert consignor is not None
    assert consignor.identifier(IdentifierScheme.USCC) == "91440300MA5DC8E3L9"
    assert (consignor.city, consignor.postcode, consignor.country) == ("SHENZHEN", "518000", "CN")
    assert declaration.incoterm == "FOB"
    assert declaration.freight is not None and declaration.freight.mark is ChargeMark.TOTAL
    assert declaration.insurance is not None and declaration.insurance.mark is ChargeMark.RATE
    assert declaration.insurance.value == Decimal("0.3")
    item = declaration.items[0]
    assert item.description == "LAPTOPS" and item.destination_country == "DE"
    assert item.quantity is not None and str(item.quantity) == "300 NAR"


def test_certificate_of_origin_in_doc_group_with_dates_and_country() -> None:
    body = """
BGM+929+R+9'
DOC+861:::ACFTA+E26123'
DTM+182:20261101:102'
LOC+91+VN'
UNS+D'
CST+1+0304620000+ACFTA:PRF+1:ZLM'
DOC+861:::ACFTA+E26123'
UNS+S'
"""
    declaration = map_cusdec(message(body), PROFILE).declaration
    assert declaration is not None
    (doc,) = declaration.documents
    assert doc.kind is DocumentKind.CERTIFICATE_OF_ORIGIN
    assert (doc.number, doc.agreement, doc.issuing_country) == ("E26123", "ACFTA", "VN")
    assert str(doc.issue_date) == "2026-11-01"
    item = declaration.items[0]
    assert (item.preference, item.levy_mode) == ("ACFTA", "1")
    assert item.documents[0].kind is DocumentKind.CERTIFICATE_OF_ORIGIN


def test_release_characters_keep_service_characters_in_text() -> None:
    body = MINIMAL.replace("MOA+38", "FTX+ACB+++BRAND?: SEAGOLD?+CO'\nMOA+38")
    declaration = map_cusdec(message(body), PROFILE).declaration
    assert declaration is not None
    assert declaration.items[0].declared_elements == "BRAND: SEAGOLD+CO"


def test_decimal_comma_from_una() -> None:
    body = MINIMAL.replace("100.00", "100,50")
    segments = message(body, una="UNA:+,? '")
    declaration = map_cusdec(segments, PROFILE, decimal_mark=",").declaration
    assert declaration is not None
    assert declaration.items[0].value is not None
    assert declaration.items[0].value.value == Decimal("100.50")


def test_every_problem_is_reported_with_its_segment_and_position() -> None:
    body = """
BGM+929+R+9'
DTM+137:20261328:102'
NAD+CN+91310000MA1FL0XQ8X::ZUS'
UNS+D'
CST+1+15111'
MOA+38:1O0.00:USD'
UNS+S'
"""
    result = map_cusdec(message(body), PROFILE)
    assert result.declaration is None
    by_tag = {issue.segment_tag: issue for issue in result.issues}
    assert set(by_tag) == {"DTM", "NAD", "CST", "MOA"}
    assert "20261328" in by_tag["DTM"].text
    assert "USCC" in by_tag["NAD"].text and by_tag["NAD"].element == 2
    assert "commodity code" in by_tag["CST"].text and by_tag["CST"].element == 2
    assert by_tag["CST"].line == 7  # UNB is line 1, UNH line 2, BGM line 3 …
    assert by_tag["CST"].column == 7  # "CST+1+" is six characters
    assert "not a number" in by_tag["MOA"].text


def test_unknown_document_code_is_refused_with_the_known_ones() -> None:
    result = map_cusdec(message(MINIMAL.replace("BGM+929", "BGM+999")), PROFILE)
    assert result.declaration is None
    assert "929" in result.issues[0].text and result.issues[0].segment_tag == "BGM"


def test_line_item_count_is_checked() -> None:
    result = map_cusdec(message(MINIMAL + "CNT+2:2'\n"), PROFILE)
    assert result.declaration is None
    assert result.issues[0].segment_tag == "CNT"


def test_amendment_needs_the_registered_number() -> None:
    body = MINIMAL.replace("BGM+929+REF-1+9'", "BGM+929+REF-1+5'")
    result = map_cusdec(message(body), PROFILE)
    assert result.declaration is None
    assert "registered number" in result.issues[0].text
    with_number = body.replace("UNS+D'", "RFF+AAE:220120261000000001'\nUNS+D'", 1)
    declaration = map_cusdec(message(with_number), PROFILE).declaration
    assert declaration is not None
    assert declaration.function is DeclarationFunction.AMENDMENT
    assert declaration.registered_number == "220120261000000001"


def test_problems_are_worded_for_people_and_coded() -> None:
    body = MINIMAL.replace("CST+1+0304620000", "CST+1+03046")
    body = body.replace("UNS+D'", "LOC+35+VNM'\nUNS+D'", 1)
    result = map_cusdec(message(body), PROFILE)
    texts = {issue.segment_tag: (issue.code.value, issue.text) for issue in result.issues}
    assert texts["CST"] == (
        "FORMAT",
        "goods item 1 commodity code '03046' must be a commodity code of 6, 8 or 10 digits",
    )
    assert texts["LOC"][0] == "FORMAT"
    assert "ISO 3166" in texts["LOC"][1]


@pytest.mark.parametrize("written", ["C&F", "CNF", "C & F"])
def test_the_legacy_cost_and_freight_incoterm_is_read_as_cfr(written: str) -> None:
    # DOMAIN.md lists "C&F/CFR" among the 成交方式: the older name must not reject a declaration.
    body = MINIMAL.replace("UNS+D'", f"TOD+++{written}'\nUNS+D'", 1)
    result = map_cusdec(message(body), PROFILE)
    assert result.issues == ()
    assert result.declaration is not None and result.declaration.incoterm == "CFR"


@pytest.mark.parametrize("written", ["C+F", "cfr", "CF", "C&FR"])
def test_a_wrong_incoterm_is_still_refused_at_tod(written: str) -> None:
    body = MINIMAL.replace("UNS+D'", f"TOD+++{written.replace('+', '?+')}'\nUNS+D'", 1)
    result = map_cusdec(message(body), PROFILE)
    assert result.declaration is None
    (issue,) = result.issues
    assert (issue.code.value, issue.segment_tag, issue.line, issue.column) == (
        "FORMAT",
        "TOD",
        4,
        7,
    )
    assert issue.text == f"incoterm '{written}' must be a 3-letter Incoterms code"


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="default"):
        load_profile("nope")


def test_a_rejected_item_value_is_reported_at_its_own_item_segment() -> None:
    # Where each value came from is worked out only when the model rejects something: the
    # second item's origin must point at the second item's LOC, not the first's.
    body = """
BGM+929+R+9'
UNS+D'
CST+1+0304620000'
LOC+27+VN'
MOA+38:100.00:USD'
CST+2+0304620000'
LOC+27+VNM1'
MOA+38:100.00:USD'
UNS+S'
"""
    result = map_cusdec(message(body), PROFILE)
    assert result.declaration is None
    (issue,) = result.issues
    assert issue.segment_tag == "LOC"
    assert "goods item 2 origin country" in issue.text
    assert (issue.line, issue.column, issue.element) == (9, 8, 2)  # UNB line 1, BGM line 3


@settings(max_examples=500, deadline=None)
@given(raw=st.text("0123456789", min_size=8, max_size=8) | st.dates().map(lambda d: f"{d:%Y%m%d}"))
def test_ccyymmdd_is_read_as_strptime_reads_it(raw: str) -> None:
    # The direct reading of format 102 must accept, refuse and give what strptime does.
    try:
        expected: date | None = datetime.strptime(raw, "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        expected = None
    try:
        got: date | None = calendar_date(raw, "%Y%m%d")
    except ValueError:
        got = None
    assert got == expected


PARTIES = """
BGM+929+REF-P+9'
NAD+CN+91440300MA5DC8E3L9::ZUS++SHANGHAI TRADING CO+1 MAIN ROAD+SHANGHAI++200000+CN'
NAD+OS+++OVERSEAS LTD+1 HARBOUR ROAD+PORT++10000+AU'
UNS+D'
CST+1+0304620000'
MOA+38:100.00:USD'
UNS+S'
"""


def test_a_party_read_again_is_the_party_validated_before() -> None:
    first = map_cusdec(message(PARTIES), PROFILE).declaration
    again = map_cusdec(message(PARTIES.replace("REF-P", "REF-Q")), PROFILE).declaration
    assert first is not None and again is not None
    # The parties validated for the first message are taken again, as they are ...
    assert all(a is b for a, b in zip(first.parties, again.parties, strict=True))
    # ... and are what validating the message's parties afresh gives, to the stored text.
    fresh = Declaration.model_validate(
        {**first.model_dump(), "parties": [p.model_dump() for p in first.parties]}
    )
    assert fresh == first and fresh.model_dump_json() == first.model_dump_json()
    assert first.parties[0].identifier(IdentifierScheme.USCC) == "91440300MA5DC8E3L9"


def test_an_invalid_party_is_reported_the_same_every_time() -> None:
    bad = PARTIES.replace("91440300MA5DC8E3L9", "91440300MA5DC8E3L8")
    for _ in range(2):  # an invalid party is not remembered: the second is refused too
        result = map_cusdec(message(bad), PROFILE)
        assert result.declaration is None
        (issue,) = result.issues
        assert (issue.segment_tag, issue.element, issue.line, issue.column) == ("NAD", 2, 4, 8)
        assert "USCC" in issue.text
