"""Measure pyx12's X12Reader against this channel's reader on a generated ~5 MB 309.

Run ``python benchmarks/x12_bench.py``; figures are recorded in docs/adr/0002-x12-reader.md.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pyx12.x12file import X12Reader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edi.x12 import read_x12
from edi.x12.isa import read_isa
from edi.x12.tokenizer import scan

_ISA = (
    "ISA*00*          *00*          *ZZ*COSU           *ZZ*CNCUSTOMS      "
    "*261128*0930*U*00401*000000900*0*P*>~\n"
)


def _bill(n: int) -> list[str]:
    return [
        f"LX*{n}",
        f"M11*{6100000000 + n}*VNSGN*1200*CTN*16650.5*K******COSU",
        f"N9*BN*SGN{n:08d}",
        "N1*SH*VIETNAM SEAFOOD EXPORT JSC",
        "N3*12 LE LOI STREET",
        "N4*HO CHI MINH CITY**700000*VN",
        "N1*CN*SHANGHAI OCEAN FOODS TRADING CO LTD*ZZ*91310000MA1FL0XQ8W",
        "N3*88 HUAIHAI ROAD",
        "N4*SHANGHAI**200000*CN",
        "VID*CN*CSQU*3054383*SL4410021",
        "N10*600*FROZEN PANGASIUS FILLETS*SEAGOLD*Z*0304620000**K*8320**CTN",
        "N10*600*FROZEN WHITELEG SHRIMP*SEAGOLD*Z*0306171900**K*8330.5**CTN",
    ]


def generate(target_bytes: int = 5_000_000, bills_per_set: int = 1000) -> bytes:
    """An interchange of 309 sets of ``bills_per_set`` bills, about ``target_bytes`` long."""
    out = [_ISA, "GS*SO*COSU*CNCUSTOMS*20261128*0930*900*X*004010~\n"]
    size, sets, n = sum(map(len, out)), 0, 0
    while size < target_bytes:
        sets += 1
        body = ["M10*COSU*O*CN*9312341*COSCO SHIPPING ARIES*V123E*000001**A*L", "P4*CNSHA*20261201"]
        for _ in range(bills_per_set):
            n += 1
            body += _bill(n)
        lines = [f"ST*309*{sets:04d}", *body, f"SE*{len(body) + 2}*{sets:04d}"]
        text = "".join(line + "~\n" for line in lines)
        out.append(text)
        size += len(text)
    out.append(f"GE*{sets}*900~\nIEA*1*000000900~\n")
    return "".join(out).encode()


def _pyx12(text: str, values: bool) -> int:
    count = 0
    reader = X12Reader(io.StringIO(text))
    for seg in reader:
        count += 1
        if values:
            for i in range(1, len(seg) + 1):
                seg.get_value(f"{seg.get_seg_id()}{i:02d}")
        reader.pop_errors()
    return count


def _ours_scan(raw: bytes) -> int:
    text = raw.decode()
    isa = read_isa(text)
    assert isa.delimiters is not None
    return len(scan(text, isa.start, isa.length, isa.delimiters).segments)


def _time(label: str, fn: Callable[[], int], size: int) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:38s} {best:6.2f} s  {size / best / 1e6:6.2f} MB/s  {count / best:9.0f} seg/s")
    return round(size / best / 1e6, 2)


def main() -> None:
    """Print the figures."""
    raw = generate()
    text = raw.decode()
    segments = text.count("~")
    print(f"{len(raw) / 1e6:.2f} MB, {segments} segments")
    figures = {
        "pyx12_reader_mb_s": _time("pyx12 X12Reader", lambda: _pyx12(text, values=False), len(raw)),
        "pyx12_get_value_mb_s": _time(
            "pyx12 X12Reader + get_value", lambda: _pyx12(text, values=True), len(raw)
        ),
        "tokenizer_mb_s": _time("ours: tokenizer only", lambda: _ours_scan(raw), len(raw)),
    }
    result_sets = lambda: len(read_x12(raw).transaction_sets) and segments  # noqa: E731
    figures["read_x12_mb_s"] = _time(
        "ours: read_x12 (pyx12 + checks + 309 map)", result_sets, len(raw)
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
