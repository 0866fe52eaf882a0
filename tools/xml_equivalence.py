"""Dump what the XML reader answers for 1,729 documents, to compare two versions of the code.

The documents: the samples in ``samples/xml``, 60 + 60 benchmark files
(``benchmarks/xml_bench.py``) and random mutations of the valid ones (seeded, so every run
makes the same files): elements removed, duplicated, moved; leaf texts replaced by other
values, by whitespace, or given a child element; attributes removed or changed. One JSON line
per document: kind, the canonical declaration as JSON, every issue (text, path, line,
column, kind) and the sender reference. A change to the readers that must keep their
answers is checked by running this on the old and the new tree and comparing the files::

    PYTHONPATH=/path/to/old .venv/bin/python tools/xml_equivalence.py /path/to/old old.jsonl
    PYTHONPATH=. .venv/bin/python tools/xml_equivalence.py . new.jsonl
    cmp old.jsonl new.jsonl

(docs/adr/0003-xml-mapping-in-one-pass.md).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

COUNT = 1729
_GARBLE = [
    *("", " ", "x", "0", "-1", "1.5", "NaN", "1e3", "ZZZ", "XX", "99", "00", "20261301"),
    *("2026-12-06", "CN", "GB", "USD", "KGM", "TSP", "TRC", "1", "9", "13", "INV", "IMZ"),
    *("EXA", "035", "142", "502", "A" * 80, "12345678", "1234567890", "0101210000"),
    *("91350100M000100Y43", "GB123456789000", " 7 ", "110", "I", "E", "2", "3", "007"),
    *("1.000", "+5", "3.14159", "0000", "9999", "10000"),
]


def documents(root: Path, rng: random.Random) -> list[bytes]:
    """The samples, the benchmark files and mutations, :data:`COUNT` in all."""
    sys.path.insert(0, str(root))
    # Loaded by path: mypy checks benchmarks/ as top-level modules, and a package import
    # would make it see the same file under two names.
    import importlib.util

    spec = importlib.util.spec_from_file_location("xml_bench", root / "benchmarks" / "xml_bench.py")
    assert spec is not None and spec.loader is not None
    xml_bench: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(xml_bench)

    samples = sorted((root / "samples" / "xml").glob("*.xml"))
    docs = [p.read_bytes() for p in samples]
    docs += xml_bench._dms_documents(60) + xml_bench._decmessage_documents(60)
    broken = ("invalid", "not-well", "attack")
    valid = [p.read_bytes() for p in samples if not any(b in p.name for b in broken)]
    valid += xml_bench._dms_documents(6) + xml_bench._decmessage_documents(6)
    while len(docs) < COUNT:
        raw = rng.choice(valid)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            raw = _mutate(raw, rng)
        docs.append(raw)
    return docs


def _mutate(raw: bytes, rng: random.Random) -> bytes:
    from lxml import etree

    doc = etree.fromstring(raw)
    elements = [e for e in doc.iter() if isinstance(e.tag, str)]
    leaves = [e for e in elements if len(e) == 0]
    element = rng.choice(elements)
    parent = element.getparent()
    op = rng.randrange(9)
    if op == 0 and parent is not None:
        parent.remove(element)
    elif op == 1 and parent is not None:
        parent.insert(parent.index(element), copy.deepcopy(element))
    elif op in (2, 3, 4):
        leaf = rng.choice(leaves)
        leaf.text = rng.choice(_GARBLE + [y.text or "" for y in rng.sample(leaves, 3)])
    elif op == 5:
        _garble_attribute(elements, rng)
    elif op == 6 and parent is not None and len(parent) > 1:
        parent.remove(element)
        parent.insert(rng.randrange(len(parent) + 1), element)
    elif op == 7:  # whitespace-only or mixed content
        element.text = rng.choice(["   ", "\n  ", " \t ", "\n"])
        if rng.random() < 0.5 and len(element) == 0:
            child = etree.SubElement(element, rng.choice(elements).tag)
            child.text = rng.choice(["", "1", "  "])
            child.tail = rng.choice(["", "  ", "\n", "x"])
    elif op == 8:  # whitespace around and inside a leaf
        leaf = rng.choice(leaves)
        leaf.text = rng.choice(["  ", "\n"]) + (leaf.text or "") + rng.choice(["", "  \n"])
        leaf.tail = rng.choice(["", " ", "\n\n", "\t"])
    out: bytes = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return out


def _garble_attribute(elements: list[Any], rng: random.Random) -> None:
    holders = [e for e in elements if e.attrib]
    if holders:
        holder = rng.choice(holders)
        name = rng.choice(list(holder.attrib))
        if rng.random() < 0.4:
            del holder.attrib[name]
        else:
            holder.set(name, rng.choice(_GARBLE))


def answer(read: Callable[[bytes], Any], raw: bytes) -> list[Any]:
    """One document's answer as JSON-ready values."""
    result = read(raw)
    declaration = result.declaration
    issues = [(i.text, i.path, i.line, i.column, str(i.kind)) for i in result.issues]
    dumped = None if declaration is None else declaration.model_dump_json()
    return [result.kind, dumped, issues, result.sender_reference]


def main() -> None:
    """Write one JSON line per document to the output file; print the tally."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path, help="the tree whose benchmarks/ and samples/ to use")
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    docs = documents(args.root.resolve(), random.Random(20261206))
    from edi.xml import read_xml_declaration

    tally = {"declarations": 0, "refused": 0}
    with args.output.open("w", encoding="utf-8") as out:
        for raw in docs:
            line = answer(read_xml_declaration, raw)
            tally["declarations" if line[1] is not None else "refused"] += 1
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(len(docs), "documents", tally)


if __name__ == "__main__":
    main()
