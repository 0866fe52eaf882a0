"""The acknowledgement file of a rebate batch: CSV rows, read whole with located problems.

``batch,declaration_number,item,result,reason_code,reason_text`` (docs/rebates.md). Every problem
is reported with its line and CSV column (1-based) and its field name; nothing is returned
unless the whole file reads cleanly.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from clearance.store.control_tables import REBATE_ACCEPTED, REBATE_REJECTED
from core.errors import CustomsError

COLUMNS = ("batch", "declaration_number", "item", "result", "reason_code", "reason_text")
RESULTS = (REBATE_ACCEPTED, REBATE_REJECTED)
MAX_ISSUES = 100
_NUMBER = re.compile(r"^\d{18}$")
_REASON_CODE = re.compile(r"^[A-Za-z0-9._-]{1,16}$")


@dataclass(frozen=True, slots=True)
class AckIssue:
    """One problem in an acknowledgement file: line, CSV column (1-based), what."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        field = COLUMNS[self.column - 1] if self.column <= len(COLUMNS) else "end of row"
        return f"line {self.line}, column {self.column} ({field}): {self.message}"


class AcknowledgementError(CustomsError):
    """The file was refused as a whole; ``issues`` lists every problem found."""

    code = "rebate_acknowledgement"

    def __init__(self, name: str, issues: list[AckIssue]) -> None:
        shown = "; ".join(f"{name}: {issue}" for issue in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"acknowledgement refused, {len(issues)} problem(s): {shown}{more}")
        self.issues = tuple(issues[:MAX_ISSUES])


@dataclass(frozen=True, slots=True)
class AckRow:
    """One acknowledged record, as the file states it."""

    line: int
    batch: str
    number: str
    item: int
    result: str
    reason_code: str | None
    reason_text: str | None


def read_rows(name: str, content: bytes) -> list[AckRow]:
    """The rows of an acknowledgement file, or :class:`AcknowledgementError` for every problem."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AcknowledgementError(
            name, [AckIssue(1, 1, f"not UTF-8 text ({exc.reason})")]
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        message = f"the header must be {','.join(COLUMNS)}"
        raise AcknowledgementError(name, [AckIssue(1, _first_difference(header or []), message)])
    rows: list[AckRow] = []
    issues: list[AckIssue] = []
    for fields in reader:
        line = reader.line_num
        if not fields or fields == [""]:
            continue
        row = _row(line, fields, issues)
        if row is not None:
            rows.append(row)
    if not rows and not issues:
        issues.append(AckIssue(2, 1, "no acknowledgement rows"))
    if issues:
        raise AcknowledgementError(name, issues)
    return rows


def _first_difference(header: list[str]) -> int:
    """The 1-based column where ``header`` first departs from :data:`COLUMNS`."""
    for n, expected in enumerate(COLUMNS, 1):
        if n > len(header) or header[n - 1] != expected:
            return n
    return len(COLUMNS) + 1


def _row(line: int, fields: list[str], issues: list[AckIssue]) -> AckRow | None:
    before = len(issues)
    if len(fields) != len(COLUMNS):
        message = f"{len(fields)} fields, expected {len(COLUMNS)}"
        issues.append(AckIssue(line, min(len(fields), len(COLUMNS)) + 1, message))
        return None
    batch, number, item, result, code, text = (f.strip() for f in fields)
    if not batch:
        issues.append(AckIssue(line, 1, "the batch reference is missing"))
    if not _NUMBER.match(number):
        issues.append(AckIssue(line, 2, f"{number!r} is not an 18-digit declaration number"))
    if not item.isdigit() or int(item) < 1:
        issues.append(AckIssue(line, 3, f"{item!r} is not an item number"))
    if result not in RESULTS:
        issues.append(AckIssue(line, 4, f"{result!r} is not accepted or rejected"))
    if code and not _REASON_CODE.match(code):
        issues.append(AckIssue(line, 5, f"{code!r} is not a reason code (1-16 letters, digits)"))
    if result == REBATE_REJECTED and not code:
        issues.append(AckIssue(line, 5, "a rejected record needs a reason code"))
    if len(text) > 512:
        issues.append(AckIssue(line, 6, "the reason text is longer than 512 characters"))
    if len(issues) > before:
        return None
    return AckRow(line, batch, number, int(item), result, code or None, text or None)
