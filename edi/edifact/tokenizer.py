"""Streaming UN/EDIFACT tokenizer: bytes in, :class:`~edi.edifact.segments.Segment` out.

``tokenize(source)`` reads ``bytes`` or a binary file object in chunks (1 MiB by default),
so a 100 MB interchange never sits in memory as a whole. The *head* (optional UNA, then UNB
up to its syntax identifier) is read from the raw bytes first: it tells the service
characters, the character repertoire (UNB S001/0001) and the syntax version (S001/0002).
The rest is decoded incrementally with the repertoire's codec.

Reading rules (ISO 9735, plus what real senders do):

* UNA is optional and only recognised at the very start (after whitespace or a UTF-8 BOM);
  its six characters are taken by position. Without UNA the syntax defaults apply (level
  B's information separators when the character after ``UNB`` is IS3).
* The repetition separator is applied only in syntax version 4 and only when defined.
* The release character may precede any character, itself and a line break included.
* Whitespace between segments (line breaks, indentation) is not data; a missing final
  segment terminator is tolerated. An empty segment (``''``) is yielded with tag ``""``.
* Positions are 1-based lines and columns counted in characters; only ``\\n`` ends a line.

Errors that stop reading raise :class:`~edi.edifact.errors.EdifactError` with line and
column: a bad UNA (22), no UNB (13), an unreadable UNB syntax identifier (20), an
unsupported repertoire (46, raised right *after* the UNB was yielded so that a CONTRL can
still be addressed), undecodable bytes or characters outside level A/B (21), a release
character at the very end of the data (20). Segments before the error have been yielded.

Speed (about 12 MB/s, 13x pydifact; ``benchmarks/edifact_bench.py``): each decoded chunk is
cut with ``str.split(terminator)`` and a segment with ``str.split``; only where the release
character occurs are split pieces glued back (an odd run of release characters before a
separator means it was released) and release characters removed. Line numbers come from
counting line breaks in the whitespace between segments. See
``docs/adr/0001-edifact-reader.md``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from itertools import chain, islice
from typing import BinaryIO

from edi.edifact.charsets import Charset, Head, read_head
from edi.edifact.errors import EdifactError, SyntaxErrorCode, SyntaxIssue
from edi.edifact.segments import Delimiters, Element, Segment

__all__ = ["DEFAULT_CHUNK_SIZE", "Source", "Tokenizer", "tokenize"]

DEFAULT_CHUNK_SIZE = 1 << 20
#: A segment longer than this means a wrong terminator: stop rather than buffer 100 MB.
MAX_SEGMENT_CHARS = 8 << 20
_WS = " \t\r\n"
Source = bytes | bytearray | memoryview | BinaryIO
_Pos = tuple[int, int]


def _position_in(text: str, offset: int, line: int, col: int) -> _Pos:
    """Line/column of ``text[offset]`` when ``text[0]`` sits at ``line``/``col``."""
    n = text.count("\n", 0, offset)
    if n:
        return line + n, offset - text.rfind("\n", 0, offset)
    return line, col + offset


def _error_at(
    code: SyntaxErrorCode, text: str, body: str, offset: int, line: int, col: int, index: int
) -> EdifactError:
    """An error inside the segment ``body`` (whose tag sits at ``line``/``col``)."""
    tag = re.split(r"[^A-Za-z0-9]", body.lstrip(_WS), maxsplit=1)[0][:3] or None
    where = _position_in(body, offset, line, col)
    return EdifactError(SyntaxIssue(code, text, tag, index, where[0], where[1]))


class _Released:
    """Splitting and unescaping where the release character occurs (the slower path)."""

    def __init__(self, d: Delimiters, rel: str) -> None:
        self.cs, self.rep, self.rel = d.component, d.repetition, rel
        self.pairs = re.compile(re.escape(rel) + "(.)", re.DOTALL)

    def split(self, text: str, sep: str) -> list[str]:
        """``text.split(sep)``, except where ``sep`` is released (odd run of ``rel`` before)."""
        rel = self.rel
        out: list[str] = []
        carry: str | None = None
        for piece in text.split(sep):
            if carry is not None:
                piece = carry + sep + piece
                carry = None
            if piece.endswith(rel) and (len(piece) - len(piece.rstrip(rel))) % 2:
                carry = piece
            else:
                out.append(piece)
        if carry is not None:  # not inside a segment: its terminator would be released too
            out.append(carry)
        return out

    def value(self, text: str) -> str:
        """Remove release characters (``?x`` is ``x``, ``??`` is ``?``)."""
        rel = self.rel
        if rel not in text:
            return text
        if rel + rel in text:
            return self.pairs.sub(r"\1", text)
        return text.replace(rel, "")

    def elements(self, raw: list[str]) -> tuple[Element, ...]:
        """The elements of one segment (raw element strings, release characters inside)."""
        return tuple([self.element(e) for e in raw])

    def element(self, raw: str) -> Element:
        """One element: repetitions of components, release characters removed."""
        cs, rep, rel = self.cs, self.rep, self.rel
        if rel not in raw:
            if rep is not None and rep in raw:
                return tuple([tuple(r.split(cs)) for r in raw.split(rep)])
            return (tuple(raw.split(cs)),)
        value, split = self.value, self.split
        occurrences = split(raw, rep) if rep is not None and rep in raw else [raw]
        return tuple([tuple([value(c) for c in split(r, cs)]) for r in occurrences])


# A segment is a named tuple: ``tuple.__new__`` builds it without the Python-level
# ``__new__`` that ``Segment(...)`` goes through (one call fewer per segment).
_new_tuple = tuple.__new__


class _Scanner:
    """Cuts decoded text into segments; keeps the line state between chunks.

    Invariant between feeds: ``line``/``line_start`` describe absolute character offset
    ``base``, the start of ``buffer`` (the unterminated rest of the previous chunk).
    """

    def __init__(self, head: Head, pattern: re.Pattern[str] | None, skip_before: int = 0) -> None:
        d = self.d = head.delimiters
        self.invalid = pattern
        self.skip_before = skip_before
        self.released = _Released(d, d.release) if d.release else None
        self.buffer = ""
        self.base = 0
        self.line = head.unb_line
        self.line_start = 1 - head.unb_column  # so that offset 0 is column unb_column
        self.index = 0

    def position(self, offset: int) -> _Pos:
        """Line/column of ``offset`` into the current buffer."""
        col = self.base - self.line_start + 1
        return _position_in(self.buffer, offset, self.line, col)

    def fail(self, code: SyntaxErrorCode, text: str, offset: int) -> EdifactError:
        """An error at ``offset`` into the current buffer (between two feeds)."""
        line, column = self.position(offset)
        return EdifactError(SyntaxIssue(code, text, None, self.index + 1, line, column))

    def feed(self, text: str, final: bool) -> Iterator[Segment]:
        """Yield every segment completed by ``text``; ``final`` flushes the rest.

        One long loop on purpose: a function call per segment would cost more than the
        splitting itself.
        """
        d = self.d
        term, es, cs, rel, rep = d.segment, d.element, d.component, d.release, d.repetition
        invalid, released, ws, nl_term = self.invalid, self.released, _WS, term == "\n"
        skip = self.skip_before
        new, segment_type = _new_tuple, Segment
        buf = self.buffer + text
        parts = buf.split(term)
        rest = "" if final else parts.pop()
        end = len(buf)
        base, line, line_start, index = self.base, self.line, self.line_start, self.index
        pos = 0
        carry = ""
        carry_start = -1
        remaining = iter(parts)
        # Most texts hold no release character at all: then no part can end released and no
        # body needs the slower reading, so neither is looked for segment by segment.
        rel_text = rel or ""
        has_rel = rel is not None and rel in buf
        if not has_rel:
            released = None
        # Passing over many segments read before: without a release character in the text,
        # a part is a segment, so they can be passed over at once (see the skip below).
        at_once = skip > index + 1 and not has_rel
        for part in remaining:
            start = pos
            pos += len(part) + 1
            if carry_start >= 0:  # the previous terminator was released: glue back
                start, part = carry_start, carry + term + part
                carry_start = -1
            if has_rel and part.endswith(rel_text) and (len(part) - len(part.rstrip(rel_text))) % 2:
                carry, carry_start = part, start
                continue
            body = part.lstrip(ws)
            k = len(part) - len(body)
            if k:  # whitespace between segments: only its line breaks matter
                if k == 1:
                    if part[0] == "\n":
                        line += 1
                        line_start = base + start + 1
                elif n := part.count("\n", 0, k):
                    line += n
                    line_start = base + start + part.rfind("\n", 0, k) + 1
            if not body and pos > end:
                break  # whitespace after the last terminator
            col = base + start + k - line_start + 1
            if invalid is not None and (bad := invalid.search(body)):
                raise _error_at(
                    SyntaxErrorCode.INVALID_CHARACTERS,
                    f"character {bad.group()!r} is outside the character set",
                    body,
                    bad.start(),
                    line,
                    col,
                    index + 1,
                )
            index += 1
            if index < skip and index > 1:  # read by an earlier pass: only lines are counted
                if "\n" in body:
                    line += body.count("\n")
                    line_start = base + start + k + body.rfind("\n") + 1
                if nl_term:
                    line += 1
                    line_start = base + pos
                if at_once and index < skip - 1:
                    # The rest of them in this text at once: every line break in it counts
                    # (between segments, inside them, or the terminator), nothing else does.
                    passed = list(islice(remaining, skip - 1 - index))
                    after = pos + sum(map(len, passed)) + len(passed)
                    if n := buf.count("\n", pos, after):
                        line += n
                        line_start = base + buf.rfind("\n", pos, after) + 1
                    pos = after
                    index += len(passed)
                continue
            if released is not None and released.rel in body:
                raw = released.split(body, es)
                width = len(raw[0]) + 1  # offset of the first element in the body
                tag = released.value(raw[0])
                del raw[0]
                elements = released.elements(raw)
            else:
                raw = body.split(es)
                tag = raw[0]
                width = len(tag) + 1
                del raw[0]
                if rep is not None and rep in body:
                    elements = tuple(
                        [tuple([tuple(r.split(cs)) for r in e.split(rep)]) for e in raw]
                    )
                else:
                    elements = tuple([(tuple(e.split(cs)),) if cs in e else ((e,),) for e in raw])
            if "\n" in body:  # released (or raw) line breaks inside the segment
                positions = []
                for e in raw:
                    positions.append(_position_in(body, width, line, col))
                    width += len(e) + 1
                yield new(segment_type, (tag, elements, index, line, col, tuple(positions)))
                line += body.count("\n")
                line_start = base + start + k + body.rfind("\n") + 1
            else:
                # Most segments have one to three elements: their positions are written out
                # (a list, a loop and a tuple() cost a tenth of reading the segment).
                c = col + width
                n = len(raw)
                if n == 1:
                    located: tuple[tuple[int, int], ...] = ((line, c),)
                elif n == 2:
                    located = ((line, c), (line, c + len(raw[0]) + 1))
                elif n == 3:
                    c1 = c + len(raw[0]) + 1
                    located = ((line, c), (line, c1), (line, c1 + len(raw[1]) + 1))
                else:
                    positions = []
                    for e in raw:
                        positions.append((line, c))
                        c += len(e) + 1
                    located = tuple(positions)
                yield new(segment_type, (tag, elements, index, line, col, located))
            if nl_term:
                line += 1
                line_start = base + pos
        if carry_start >= 0:
            if final:  # a release character with nothing after it
                col = base + carry_start - line_start + 1
                raise _error_at(
                    SyntaxErrorCode.INVALID_SERVICE_CHARACTER_USE,
                    "release character at the end of the data",
                    carry,
                    len(carry) - 1,
                    line,
                    col,
                    index + 1,
                )
            rest, pos = carry + term + rest, carry_start
        self.buffer = rest
        self.base = base + pos
        self.line, self.line_start, self.index = line, line_start, index


class Tokenizer:
    """Iterate the segments of one interchange; exposes what its head announced.

    ``head`` (and with it ``delimiters``, ``charset``, ``syntax_version``) is set on the
    first ``next()``; before that the properties return None.
    """

    def __init__(
        self, source: Source, *, chunk_size: int = DEFAULT_CHUNK_SIZE, skip_before: int = 0
    ) -> None:
        """``skip_before``: the segments from index 2 up to (not including) this one are
        passed over, not yielded (a second read that goes on where the first one's kept
        messages end; their lines are still counted, so positions stay those of the file)."""
        self._source = source
        self._chunk_size = max(1, chunk_size)
        self._skip_before = skip_before
        self.head: Head | None = None

    @property
    def delimiters(self) -> Delimiters | None:
        """The service characters in force (from UNA or the defaults)."""
        return self.head.delimiters if self.head else None

    @property
    def charset(self) -> Charset | None:
        """The character repertoire named in UNB (None if unknown or not yet read)."""
        return self.head.charset if self.head else None

    @property
    def syntax_version(self) -> int | None:
        """UNB S001/0002 as a number (None when absent, not numeric or not yet read)."""
        return self.head.syntax_version if self.head else None

    def __iter__(self) -> Iterator[Segment]:
        # chain (C) hands out the segments of each chunk's generator: one Python generator
        # frame less per segment than a ``yield from`` loop.
        return chain.from_iterable(self._batches())

    def _chunks(self) -> Iterator[bytes]:
        src, size = self._source, self._chunk_size
        if isinstance(src, bytes | bytearray | memoryview):
            view = memoryview(src)
            for i in range(0, len(view), size):
                yield bytes(view[i : i + size])
            return
        while chunk := src.read(size):
            yield chunk

    def _batches(self) -> Iterator[Iterator[Segment]]:
        """One segment generator per decoded chunk; checks between chunks."""
        chunks = self._chunks()
        head, pending = read_head(chunks)
        self.head = head
        charset = head.charset
        # Unknown repertoire: read UNB as Latin-1 (ASCII in practice) so that the caller
        # can still address an answer, then stop with code 46.
        codec = charset.codec if charset else "latin-1"
        decoder = codecs.getincrementaldecoder(codec)("strict")
        pattern = charset.invalid_pattern(head.delimiters) if charset else None
        scanner = _Scanner(head, pattern, self._skip_before)
        final = False
        while True:
            text, error = _decode(decoder, pending, final)
            batch = scanner.feed(text, final and error is None)
            yield batch if charset else _first_only(batch, _unsupported_charset(head))
            if error is not None:
                raise scanner.fail(SyntaxErrorCode.INVALID_CHARACTERS, error, len(scanner.buffer))
            if final:
                return
            if len(scanner.buffer) > MAX_SEGMENT_CHARS:
                raise scanner.fail(
                    SyntaxErrorCode.UNSPECIFIED, "no segment terminator within 8 MiB", 0
                )
            pending = next(chunks, b"")
            final = not pending


def _first_only(segments: Iterator[Segment], issue: SyntaxIssue) -> Iterator[Segment]:
    """Yield the first segment, then raise ``issue``."""
    for segment in segments:
        yield segment
        raise EdifactError(issue)


def _decode(decoder: codecs.IncrementalDecoder, data: bytes, final: bool) -> tuple[str, str | None]:
    """Decode ``data``; on bad bytes return the good prefix and what was wrong."""
    try:
        return decoder.decode(data, final), None
    except UnicodeDecodeError as exc:
        good = exc.object[: exc.start].decode(exc.encoding, "replace")
        bad = exc.object[exc.start : exc.end].hex(" ")
        return good, f"byte(s) {bad} are not valid {exc.encoding}"


def _unsupported_charset(head: Head) -> SyntaxIssue:
    return SyntaxIssue(
        SyntaxErrorCode.CHARACTER_SET_NOT_SUPPORTED,
        f"syntax identifier {head.syntax_identifier!r} names no supported character set",
        "UNB",
        1,
        head.unb_line,
        head.unb_column,
        element=1,
        component=1,
    )


def tokenize(source: Source, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Segment]:
    """Yield the segments of one interchange read from ``source`` (bytes or binary file)."""
    return iter(Tokenizer(source, chunk_size=chunk_size))
