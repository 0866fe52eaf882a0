"""Character repertoires (UNB syntax identifier, 0001) and the interchange head.

The *head* is what an interchange announces before its data: the optional UNA service
string advice (six service characters, by position) and the UNB syntax identifier
(repertoire and syntax version). :func:`read_head` reads it from the raw bytes, because the
codec is not known before it: the service segments are ASCII by definition.

The first component of UNB element S001 names both the syntax agency (``UNO``) and the
character repertoire (the level letter). Each level maps to a Python codec; levels A and B
are *subsets* of ISO 646 (ASCII), so decoding alone does not police them: they also carry a
pattern of the characters they allow, and the tokenizer reports anything else as syntax
error 21 (invalid character(s)).

Level A (ISO 9735, also listed in the EANCOM syntax guide): upper-case letters, digits,
space and ``. , - ( ) / = ! " % & * ; < >`` plus the service characters ``' + : ?``.
Level B adds the lower-case letters; its *default* service characters are the ISO 646
information separators IS1 (component), IS3 (element) and IS4 (segment), without a release
character. The service characters actually in use are always allowed in addition to the
repertoire (a UNA may announce other ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from string import ascii_lowercase, ascii_uppercase, digits

from edi.edifact.errors import EdifactError, SyntaxErrorCode, SyntaxIssue
from edi.edifact.segments import DEFAULT_DELIMITERS, Delimiters

_MAX_HEAD = 64 << 10
_BOM = b"\xef\xbb\xbf"
_Pos = tuple[int, int]

_LEVEL_A = ascii_uppercase + digits + " .,-()/=!\"%&*;<>'+:?"
_LEVEL_B = _LEVEL_A + ascii_lowercase

#: ISO 9735 level B defaults (no UNA): IS1, IS3, IS4, no release character. In syntax 4
#: the repetition separator defaults to IS2 (0x1E).
LEVEL_B_DELIMITERS = Delimiters(
    component="\x1f", element="\x1d", decimal=".", release=None, repetition=None, segment="\x1c"
)
LEVEL_B_REPETITION = "\x1e"


@dataclass(frozen=True, slots=True)
class Charset:
    """One syntax level: its codec and, for the ASCII subsets, the allowed repertoire."""

    identifier: str
    codec: str
    repertoire: str | None = None  # None: everything the codec decodes is allowed
    description: str = ""

    def invalid_pattern(self, delimiters: Delimiters) -> re.Pattern[str] | None:
        """A pattern matching the first character outside the repertoire, or None."""
        if self.repertoire is None:
            return None
        service = [
            c
            for c in (
                delimiters.component,
                delimiters.element,
                delimiters.decimal,
                delimiters.release,
                delimiters.repetition,
                delimiters.segment,
            )
            if c
        ]
        allowed = "".join(sorted(set(self.repertoire).union(service)))
        return re.compile("[^" + re.escape(allowed) + "]")

    @property
    def is_multibyte(self) -> bool:
        """True when one character may take more than one byte (UTF-8)."""
        return self.codec == "utf-8"


CHARSETS: dict[str, Charset] = {
    c.identifier: c
    for c in (
        Charset("UNOA", "ascii", _LEVEL_A, "UN/ECE level A (ISO 646 subset, upper case)"),
        Charset("UNOB", "ascii", _LEVEL_B, "UN/ECE level B (ISO 646 subset)"),
        Charset("UNOC", "iso8859-1", None, "UN/ECE level C (ISO 8859-1, Latin 1)"),
        Charset("UNOD", "iso8859-2", None, "UN/ECE level D (ISO 8859-2, Latin 2)"),
        Charset("UNOE", "iso8859-5", None, "UN/ECE level E (ISO 8859-5, Latin/Cyrillic)"),
        Charset("UNOF", "iso8859-7", None, "UN/ECE level F (ISO 8859-7, Latin/Greek)"),
        Charset("UNOG", "iso8859-3", None, "UN/ECE level G (ISO 8859-3, Latin 3)"),
        Charset("UNOH", "iso8859-4", None, "UN/ECE level H (ISO 8859-4, Latin 4)"),
        Charset("UNOI", "iso8859-6", None, "UN/ECE level I (ISO 8859-6, Latin/Arabic)"),
        Charset("UNOJ", "iso8859-8", None, "UN/ECE level J (ISO 8859-8, Latin/Hebrew)"),
        Charset("UNOK", "iso8859-9", None, "UN/ECE level K (ISO 8859-9, Latin 5)"),
        Charset("UNOW", "utf-8", None, "UN/ECE level W (ISO 10646, UTF-8)"),
        # Level Y is "ISO 10646-1 octet without code extension technique"; in practice
        # (and in every syntax 4 guide we know) it is sent as UTF-8.
        Charset("UNOY", "utf-8", None, "UN/ECE level Y (ISO 10646, sent as UTF-8)"),
    )
}


def lookup(identifier: str) -> Charset | None:
    """The charset for a UNB syntax identifier (e.g. ``"UNOC"``), or None if unsupported."""
    return CHARSETS.get(identifier)


@dataclass(frozen=True, slots=True)
class Head:
    """What the interchange announces before its first data segment."""

    delimiters: Delimiters
    una: bool
    syntax_identifier: str
    syntax_version: int | None
    charset: Charset | None
    unb_line: int
    unb_column: int


def _fail(code: SyntaxErrorCode, text: str, pos: _Pos, tag: str | None = None) -> EdifactError:
    index = 1 if tag == "UNB" else None
    return EdifactError(SyntaxIssue(code, text, tag, index, pos[0], pos[1]))


class _HeadReader:
    """Reads UNA/UNB from the raw bytes (service segments are ASCII by definition)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.raw = b""
        self.eof = False
        self.bom = 0

    def need(self, n: int) -> bool:
        """Make sure ``n`` bytes are buffered; False at end of data."""
        while len(self.raw) < n and not self.eof and len(self.raw) < _MAX_HEAD:
            chunk = next(self.chunks, b"")
            self.eof = not chunk
            self.raw += chunk
        return len(self.raw) >= n

    def skip_ws(self, p: int) -> int:
        """Index of the first byte at/after ``p`` that is not whitespace."""
        while self.need(p + 1) and self.raw[p : p + 1] in (b" ", b"\t", b"\r", b"\n"):
            p += 1
        return p

    def pos(self, p: int) -> _Pos:
        """Line/column of byte ``p`` (the head is ASCII, so bytes are characters)."""
        head = self.raw[:p]
        line_start = head.rfind(b"\n") + 1 or self.bom
        return head.count(b"\n") + 1, p - line_start + 1

    def until(self, p: int, stops: bytes) -> int:
        """Index of the first byte at/after ``p`` that is one of ``stops`` (or the end)."""
        while self.need(p + 1) and self.raw[p] not in stops:
            p += 1
        return p

    def read(self) -> tuple[Head, bytes]:
        """Parse the head; return it and the bytes to decode (starting at UNB)."""
        self.bom = len(_BOM) if self.need(3) and self.raw.startswith(_BOM) else 0
        p = self.skip_ws(self.bom)
        una_at = p if self.need(p + 3) and self.raw[p : p + 3] == b"UNA" else -1
        if una_at >= 0:
            if not self.need(p + 9):
                raise _fail(
                    SyntaxErrorCode.INVALID_SERVICE_CHARACTERS,
                    "UNA is truncated",
                    self.pos(p),
                    "UNA",
                )
            p = self.skip_ws(p + 9)
        if not (self.need(p + 4) and self.raw[p : p + 3] == b"UNB"):
            raise _fail(
                SyntaxErrorCode.MISSING,
                "the interchange does not start with UNB",
                self.pos(p),
                "UNB",
            )
        una_raw = self.raw[una_at + 3 : una_at + 9] if una_at >= 0 else b""
        after = self.raw[p + 3 : p + 4]
        if una_raw:
            comp, sep, term = una_raw[0:1], una_raw[1:2], una_raw[5:6]
        else:  # ISO 9735 defaults; level B uses the information separators IS1/IS3/IS4
            level_b = after == b"\x1d"
            comp, sep, term = (b"\x1f", b"\x1d", b"\x1c") if level_b else (b":", b"+", b"'")
        if after != sep:
            raise _fail(
                SyntaxErrorCode.INVALID_SERVICE_CHARACTER_USE,
                "UNB is not followed by the data element separator",
                self.pos(p + 3),
                "UNB",
            )
        stops = comp + sep + term
        ident_end = self.until(p + 4, stops)
        ident = self.raw[p + 4 : ident_end].decode("latin-1")
        version_end = ident_end
        if self.raw[ident_end : ident_end + 1] == comp:
            version_end = self.until(ident_end + 1, stops)
        version = self.raw[ident_end + 1 : version_end].decode("latin-1")
        syntax_version = int(version) if version.isdigit() and len(version) < 4 else None
        charset = lookup(ident)
        delimiters = self._delimiters(una_raw, una_at, charset, syntax_version, sep)
        unb = self.pos(p)
        head = Head(delimiters, una_at >= 0, ident, syntax_version, charset, *unb)
        return head, self.raw[p:]

    def _delimiters(
        self,
        una_raw: bytes,
        una_at: int,
        charset: Charset | None,
        version: int | None,
        sep: bytes,
    ) -> Delimiters:
        v4 = version is not None and version >= 4
        if not una_raw:
            if sep == LEVEL_B_DELIMITERS.element.encode():
                rep = LEVEL_B_REPETITION if v4 else None
                return replace(LEVEL_B_DELIMITERS, repetition=rep)
            return Delimiters(repetition="*") if v4 else DEFAULT_DELIMITERS
        bad = _fail(
            SyntaxErrorCode.INVALID_SERVICE_CHARACTERS,
            "UNA service characters are not six distinct single-byte characters",
            self.pos(una_at),
            "UNA",
        )
        if max(una_raw) > 0x7F and (charset is None or charset.is_multibyte):
            raise bad
        chars = una_raw.decode(charset.codec if charset else "latin-1")
        comp, elem, dec, rel, rep, seg = tuple(chars)
        used = [c for c in (comp, elem, dec, rel, rep, seg) if c != " "]
        if " " in (comp, elem, seg) or len(set(used)) != len(used):
            raise bad
        return Delimiters(
            comp, elem, dec, None if rel == " " else rel, None if rep == " " or not v4 else rep, seg
        )


def read_head(chunks: Iterator[bytes]) -> tuple[Head, bytes]:
    """Read UNA/UNB from the first raw chunks; return the head and the bytes from UNB on.

    Raises :class:`EdifactError` for a bad UNA (22), a missing UNB (13) or a UNB that is
    not followed by the data element separator (20).
    """
    return _HeadReader(chunks).read()
