"""Build the JSON structure tables under ``edi/edifact/directories/`` from our transcriptions.

Each ``edi/edifact/directories/source/<DIR>/<MSG>.txt`` mirrors one UN/EDIFACT segment table
(section 4.3.1 of a message specification): ``@key value`` header lines, ``#`` comments and
one row per segment or segment group::

    0120  0  SG1   C  99      <- position, depth, tag or SG<n>, status, maximum repetitions
    0130  1  RFF   M  1       <- a group's first row is its trigger segment, always M 1

The script checks the rows (positions ascending, groups numbered in order, trigger rules,
nesting) and writes ``edi/edifact/directories/<DIR>/<MSG>.json`` with nested groups and
``min``/``max``.

``source/<DIR>/segments.txt`` holds segment specifications (data elements per segment)::

    BGM                     <- segment tag
      C002  C               <- composite: id, status
        1001  C  an..3      <- component: id, status, representation
      1225  C  an..3        <- simple data element

and becomes ``<DIR>/segments.json``. The output is deterministic; the generated files are
committed and a unit test re-runs this script and compares byte for byte.

Usage::

    python tools/build_directory_tables.py            # (re)write the JSON files
    python tools/build_directory_tables.py --check    # exit 1 if a committed file is stale
    python tools/build_directory_tables.py --out DIR  # write elsewhere (used by the tests)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIRECTORIES = ROOT / "edi" / "edifact" / "directories"
SOURCE = DIRECTORIES / "source"
HEADER_KEYS = ("directory", "message", "title", "source")
SEGMENT_KEYS = ("directory", "title", "source")
_ROW = re.compile(r"^(\d{4})\s+(\d+)\s+(SG\d+|[A-Z][A-Z0-9]{2})\s+([MC])\s+(\d+)$")
_TAG = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_ELEMENT = re.compile(r"^  (\d{4}|[CS]\d{3})\s+([MC])(?:\s+(\S+))?$")
_COMPONENT = re.compile(r"^    (\d{4})\s+([MC])\s+(\S+)$")
_REPR = re.compile(r"^(a|n|an)(\.\.)?([1-9]\d*)$")


class TranscriptionError(ValueError):
    """A source file does not follow the transcription format; names file and line."""


@dataclass
class _Group:
    """A group being filled while reading rows (the message itself is depth -1)."""

    node: dict[str, Any]
    depth: int
    children: list[dict[str, Any]] = field(default_factory=list)


def _header(line: str, header: dict[str, str], keys: tuple[str, ...], where: str) -> None:
    key, _, value = line[1:].partition(" ")
    if key not in keys or key in header or not value.strip():
        raise TranscriptionError(f"{where}: bad or repeated header line {line!r}")
    header[key] = value.strip()


def parse_table(text: str, origin: str) -> dict[str, Any]:
    """Parse one transcription into the JSON document (a dict) it stands for."""
    header: dict[str, str] = {}
    root = _Group({}, -1)
    stack = [root]
    last_position = 0
    groups = 0
    expect_trigger = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{origin}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            _header(line, header, HEADER_KEYS, where)
            continue
        match = _ROW.match(line)
        if match is None:
            raise TranscriptionError(f"{where}: not a table row: {line!r}")
        pos, depth_s, tag, status, repeat_s = match.groups()
        depth, repeat = int(depth_s), int(repeat_s)
        if int(pos) <= last_position:
            raise TranscriptionError(f"{where}: position {pos} does not ascend")
        last_position = int(pos)
        if repeat < 1:
            raise TranscriptionError(f"{where}: repeat must be at least 1")
        while stack[-1].depth >= depth:
            _close(stack.pop(), where)
        if stack[-1].depth != depth - 1:
            raise TranscriptionError(f"{where}: depth {depth} skips a level")
        node: dict[str, Any] = {"position": pos}
        if expect_trigger and (tag.startswith("SG") or status != "M" or repeat != 1):
            raise TranscriptionError(f"{where}: a group must start with a trigger segment M 1")
        expect_trigger = False
        if tag.startswith("SG"):
            groups += 1
            if tag != f"SG{groups}":
                raise TranscriptionError(f"{where}: expected SG{groups}, found {tag}")
            node["group"] = tag
        else:
            node["tag"] = tag
        node["min"] = 1 if status == "M" else 0
        node["max"] = repeat
        stack[-1].children.append(node)
        if tag.startswith("SG"):
            stack.append(_Group(node, depth))
            expect_trigger = True
    if expect_trigger:
        raise TranscriptionError(f"{origin}: the last group has no trigger segment")
    while len(stack) > 1:
        _close(stack.pop(), origin)
    missing = [key for key in HEADER_KEYS if key not in header]
    if missing:
        raise TranscriptionError(f"{origin}: header lacks {', '.join('@' + k for k in missing)}")
    _check_envelope(root.children, origin)
    document: dict[str, Any] = {key: header[key] for key in HEADER_KEYS}
    document["generated_from"] = origin
    document["structure"] = root.children
    return document


def _close(group: _Group, where: str) -> None:
    if not group.children:
        raise TranscriptionError(f"{where}: group {group.node.get('group')} is empty")
    group.node["children"] = group.children


def _check_envelope(rows: list[dict[str, Any]], origin: str) -> None:
    """Every message table starts with UNH M 1 and ends with UNT M 1."""
    if not rows:
        raise TranscriptionError(f"{origin}: no rows")
    for row, tag in ((rows[0], "UNH"), (rows[-1], "UNT")):
        if row.get("tag") != tag or row["min"] != 1 or row["max"] != 1:
            raise TranscriptionError(f"{origin}: message level must start/end with {tag} M 1")


def parse_segments(text: str, origin: str) -> dict[str, Any]:
    """Parse a ``segments.txt`` transcription into its JSON document."""
    header: dict[str, str] = {}
    segments: dict[str, list[dict[str, Any]]] = {}
    elements: list[dict[str, Any]] | None = None
    composite: dict[str, Any] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        where = f"{origin}:{number}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("@"):
            _header(line, header, SEGMENT_KEYS, where)
        elif _TAG.match(line):
            if line in segments:
                raise TranscriptionError(f"{where}: segment {line} defined twice")
            _finish_composite(composite, where)
            elements, composite = segments.setdefault(line, []), None
        elif (element := _ELEMENT.match(line)) and elements is not None:
            _finish_composite(composite, where)
            ident, status, representation = element.groups()
            node: dict[str, Any] = {"id": ident, "status": status}
            if ident[0] in "CS":
                if representation is not None:
                    raise TranscriptionError(f"{where}: composite {ident} has no representation")
                node["components"] = []
                composite = node
            else:
                node["repr"] = _representation(representation, where)
                composite = None
            elements.append(node)
        elif (component := _COMPONENT.match(line)) and composite is not None:
            ident, status, representation = component.groups()
            item = {"id": ident, "status": status, "repr": _representation(representation, where)}
            composite["components"].append(item)
        else:
            raise TranscriptionError(f"{where}: cannot read {line!r}")
    _finish_composite(composite, origin)
    missing = [key for key in SEGMENT_KEYS if key not in header]
    if missing or not segments or any(not e for e in segments.values()):
        raise TranscriptionError(f"{origin}: header incomplete or a segment has no elements")
    document: dict[str, Any] = {key: header[key] for key in SEGMENT_KEYS}
    document["generated_from"] = origin
    document["segments"] = dict(sorted(segments.items()))
    return document


def _representation(text: str | None, where: str) -> str:
    if text is None or not _REPR.match(text):
        raise TranscriptionError(f"{where}: bad representation {text!r} (a/n/an, ..length)")
    return text


def _finish_composite(composite: dict[str, Any] | None, where: str) -> None:
    if composite is not None and not composite["components"]:
        raise TranscriptionError(f"{where}: composite {composite['id']} has no components")


def render_segments_json(document: dict[str, Any]) -> str:
    """The exact text written for ``segments.json``: one data element per line."""
    lines = ["{"]
    for key in (*SEGMENT_KEYS, "generated_from"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(document[key], ensure_ascii=False)},")
    lines.append('  "segments": {')
    tags = list(document["segments"])
    for n, tag in enumerate(tags):
        lines.append(f"    {json.dumps(tag)}: [")
        elements = document["segments"][tag]
        for m, element in enumerate(elements):
            comma = "," if m < len(elements) - 1 else ""
            if "components" not in element:
                lines.append(f"      {json.dumps(element)}{comma}")
                continue
            head = json.dumps({k: v for k, v in element.items() if k != "components"})
            lines.append(f'      {head[:-1]}, "components": [')
            parts = element["components"]
            lines.extend(
                f"        {json.dumps(c)}{',' if i < len(parts) - 1 else ''}"
                for i, c in enumerate(parts)
            )
            lines.append(f"      ]}}{comma}")
        lines.append(f"    ]{',' if n < len(tags) - 1 else ''}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_json(document: dict[str, Any]) -> str:
    """The exact text written for one table: header keys, then one line per table row.

    Rows stay one per line (groups open a nested list) so a diff reads like the UN table.
    """
    lines = ["{"]
    for key in (*HEADER_KEYS, "generated_from"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(document[key], ensure_ascii=False)},")
    lines.append('  "structure": [')
    _render_rows(document["structure"], lines, "    ")
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _render_rows(rows: list[dict[str, Any]], lines: list[str], indent: str) -> None:
    for number, row in enumerate(rows):
        comma = "," if number < len(rows) - 1 else ""
        flat = {key: value for key, value in row.items() if key != "children"}
        text = json.dumps(flat, ensure_ascii=False)
        if "children" not in row:
            lines.append(f"{indent}{text}{comma}")
            continue
        lines.append(f'{indent}{text[:-1]}, "children": [')
        _render_rows(row["children"], lines, indent + "  ")
        lines.append(f"{indent}]}}{comma}")


def build(source: Path = SOURCE) -> dict[Path, str]:
    """Every JSON file (relative to the directories package) and its text."""
    outputs: dict[Path, str] = {}
    for path in sorted(source.glob("*/*.txt")):
        origin = path.relative_to(source.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.stem == "segments":
            document = parse_segments(text, origin)
            rendered = render_segments_json(document)
        else:
            document = parse_table(text, origin)
            rendered = render_json(document)
            if document["message"] != path.stem:
                raise TranscriptionError(f"{origin}: @message does not match the file name")
        if document["directory"] != path.parent.name:
            raise TranscriptionError(f"{origin}: @directory does not match the folder")
        outputs[Path(path.parent.name) / f"{path.stem}.json"] = rendered
    return outputs


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description="Build EDIFACT directory JSON tables.")
    parser.add_argument("--check", action="store_true", help="fail if committed JSON is stale")
    parser.add_argument("--out", type=Path, default=DIRECTORIES, help="output root directory")
    args = parser.parse_args(argv)
    try:
        outputs = build()
    except TranscriptionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = []
    for relative, text in outputs.items():
        target = args.out / relative
        current = target.read_bytes() if target.exists() else None
        if current == text.encode("utf-8"):
            continue
        if args.check:
            stale.append(relative.as_posix())
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        print(f"wrote {target}")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
