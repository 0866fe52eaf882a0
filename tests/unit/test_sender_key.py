"""The sender read from an envelope's first bytes orders one sender's queued messages."""

from __future__ import annotations

from clearance.queueing.sender_key import envelope_sender, ordering_lock
from tests.golden_support import SAMPLES


def test_the_unb_sender_with_default_and_own_separators() -> None:
    assert envelope_sender(b"UNB+UNOC:3+BROKER01:ZZ+CNCUSTOMS+261128:1000+IC1'") == "BROKER01"
    custom = b"UNA;*.? 'UNB*UNOC;3*TJAGENT;ZZ*CNCUSTOMS*261128;1000*IC1'"
    assert envelope_sender(custom) == "TJAGENT"
    assert envelope_sender((SAMPLES / "01-import-d96b.edi").read_bytes()) == "BROKER01"


def test_the_isa_sender_and_what_has_none() -> None:
    isa = (
        b"ISA*00*          *00*          *ZZ*CARRIER01      *ZZ*CNCUSTOMS      "
        b"*261128*1000*U*00401*000000001*0*P*>~"
    )
    assert envelope_sender(isa) == "CARRIER01"
    assert envelope_sender(b"<Declaration/>") is None
    assert envelope_sender(b"UNB") is None


def test_the_front_doors_sender_wins_and_no_sender_means_no_order() -> None:
    assert ordering_lock("MAILBOXPARTY", b"UNB+UNOC:3+BROKER01+X+1:1+R'") == "sender:MAILBOXPARTY"
    assert ordering_lock(None, b"UNB+UNOC:3+BROKER01+X+1:1+R'") == "sender:BROKER01"
    assert ordering_lock(None, b"{}") is None
