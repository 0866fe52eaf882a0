"""EDIFACT tokenize + envelope parse: ours against pydifact 0.2.3 on the same bytes.

Run ``python benchmarks/edifact_bench.py``; ``--size-mb`` changes the interchange, ``--runs``
the best-of-N, ``--memory`` also streams a generated 100 MB file in a fresh process and
reports its peak RSS. The interchange is generated deterministically: syntax 4, UNOY
(UTF-8), CUSDEC D96B messages of five goods items each, with Chinese and Latin party names
and released service characters in free text. The last line printed is one JSON object
with the figures (other benchmarks add keys to it, e.g. ``e2e_declarations_per_s``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdnum.cn import uscc

from clearance.app import LOCAL_OPERATOR, Application, Document, offices
from clearance.assessment import tariff_store
from clearance.decisions import registry_store
from clearance.intake.pipeline import Pipeline
from clearance.store.migrate import upgrade
from core.clock import SystemClock
from core.db import UnitOfWork, make_engine, session_factory
from core.settings import Settings
from edi.edifact.envelope import EnvelopeReader
from edi.edifact.tokenizer import tokenize

UNA = "UNA:+.?*'"
_GOODS = [
    ("8471300000", "笔记本电脑", "Notebook computer"),
    ("8517130000", "智能手机", "Smartphone"),
    ("6109100000", "棉制针织T恤衫", "Cotton T-shirt, knitted"),
    ("9503008900", "玩具", "Toys"),
    ("4011100000", "汽车用新充气橡胶轮胎", "New pneumatic tyres for cars"),
    ("3004909000", "药品 (片剂)", "Medicaments (tablets)"),
    ("0901210000", "已焙炒咖啡", "Roasted coffee"),
]
_IMPORTERS = ["上海远洋进出口贸易有限公司", "深圳市华南电子科技有限公司", "宁波港通物流有限公司"]
_EXPORTERS = ["ACME Trading GmbH", "Société Générale d'Import", "Müller & Söhne KG", "O'Brien Ltd"]
_PORTS = ["CNSHA", "CNNGB", "CNSZX", "DEHAM", "NLRTM", "USLAX"]


def _esc(text: str) -> str:
    """Release the service characters of :data:`UNA` (``?`` first)."""
    for ch in "?:+*'":
        text = text.replace(ch, "?" + ch)
    return text


def _uscc(rnd: random.Random) -> str:
    base = f"91310000MA{rnd.randint(10_000_000, 99_999_999)}"[:17]
    return base + uscc.calc_check_digit(base)


def _message(rnd: random.Random, ref: int) -> list[str]:
    """One five-item CUSDEC D96B that passes our structure, element and mapping checks."""
    imp, exp = rnd.choice(_IMPORTERS), _esc(rnd.choice(_EXPORTERS))
    when = f"202611{rnd.randint(1, 28):02d}"
    remark = f"Remark: fragile + keep dry; ref {ref} (shipper's copy)"
    street = f"浦东新区世纪大道{rnd.randint(1, 999)}号"
    items: list[str] = []
    total = 0.0
    for item in range(1, 6):
        code, zh, en = rnd.choice(_GOODS)
        qty, price = rnd.randint(1, 2000), rnd.randint(1, 90000) / 100
        value = round(qty * price, 2)
        total += value
        items += [
            f"CST+{item}+{code}+1:ZLM",
            f"FTX+AAA+++{_esc(zh)}:{_esc(en)}",
            f"FTX+ACB+++{_esc('brand: X+Y; model ' + str(item))}",
            f"LOC+27+{rnd.choice(['DE', 'VN', 'US', 'JP'])}",
            f"MEA+AAE+ZDQ+PCE:{qty}",
            f"MEA+WT+AAA+KGM:{rnd.randint(1, 5000)}.{rnd.randint(0, 99)}",
            f"MOA+38:{value:.2f}:USD",
            f"MOA+146:{price:.2f}:USD",
            f"DOC+861+CO{rnd.randint(10000, 99999)}",
        ]
    segs = [
        f"UNH+{ref}+CUSDEC:D:96B:UN",
        f"BGM+929+2233202611{ref:08d}+9",
        "CST++0110:ZTM+101:ZLT",
        "LOC+22+2201",
        f"LOC+41+{rnd.choice(['2248', '2249', '2233'])}",
        f"LOC+35+{rnd.choice(['DE', 'NL', 'US', 'JP'])}",
        f"DTM+137:{when}:102",
        f"MEA+WT+AAD+KGM:{rnd.randint(100, 90000)}.{rnd.randint(0, 9)}",
        f"FTX+AAI+++{_esc(remark)}",
        f"RFF+BM:MEDU{rnd.randint(1000000, 9999999)}",
        f"TDT+20+V{rnd.randint(100, 999)}E+1+++++9{rnd.randint(100000, 999999)}:146::MSC ANNA:PA",
        f"DOC+380+INV-2026-{ref:06d}",
        f"NAD+CN+{_uscc(rnd)}::ZUS++{imp}+{street}+上海++200120+CN",
        f"NAD+OS+++{exp}+Hauptstrasse {rnd.randint(1, 200)}+Hamburg++20095+DE",
        f"NAD+AE+{_uscc(rnd)}::ZUS++报关行:Broker Co+Futian+Shenzhen++518000+CN",
        "TOD+++CIF",
        f"MOA+39:{total:.2f}:USD",
        "UNS+D",
        *items,
        "UNS+S",
        "CNT+2:5",
    ]
    segs.append(f"UNT+{len(segs) + 1}+{ref}")
    return segs


def iter_interchange(n_messages: int, seed: int = 20241128) -> Iterator[bytes]:
    """Yield a UNOY syntax-4 interchange of ``n_messages`` CUSDEC messages, in pieces."""
    rnd = random.Random(seed)
    yield (UNA + "\nUNB+UNOY:4+SENDERID:ZZZ+CNCUSTOMS:ZZZ+20261128:1200+ICR00001'\n").encode()
    for ref in range(1, n_messages + 1):
        yield "".join(s + "'\n" for s in _message(rnd, ref)).encode()
    yield f"UNZ+{n_messages}+ICR00001'\n".encode()


def generate_interchange(n_messages: int) -> bytes:
    """The whole generated interchange as bytes (deterministic)."""
    return b"".join(iter_interchange(n_messages))


def messages_for_size(size_mb: float) -> int:
    """How many generated messages make about ``size_mb`` megabytes."""
    per_message = len(generate_interchange(50)) / 50
    return max(1, int(size_mb * 1_000_000 / per_message))


def _ours(data: bytes) -> int:
    reader = EnvelopeReader(data)
    count = sum(len(m.segments) for m in reader)
    assert not reader.issues, reader.issues
    return count


def _pydifact(data: bytes) -> int:
    from pydifact.segmentcollection import Interchange

    with warnings.catch_warnings():  # it warns once per segment tag it has no directory for
        warnings.simplefilter("ignore")
        interchange = Interchange.from_str(data.decode("utf-8"))
        # get_messages() leaves UNH/UNT out of Message.segments
        return sum(len(m.segments) + 2 for m in interchange.get_messages())


def _tokenize_only(data: bytes) -> int:
    return sum(1 for _ in tokenize(data))


def _best(fn: Callable[[bytes], int], data: bytes, runs: int) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        result = fn(data)
        best = min(best, time.perf_counter() - t0)
    return best, result


def measure_parse(data: bytes, runs: int = 5, peer_runs: int = 2) -> dict[str, Any]:
    """MB/s of our tokenize + envelope parse and of pydifact's, best of N runs each."""
    mb = len(data) / 1_000_000
    t_ours, n_ours = _best(_ours, data, runs)
    t_tok, _ = _best(_tokenize_only, data, runs)
    t_peer, n_peer = _best(_pydifact, data, peer_runs)
    return {
        "size_mb": round(mb, 2),
        "message_segments": n_ours,
        "pydifact_message_segments": n_peer,
        "tokenize_mb_s": round(mb / t_tok, 2),
        "parse_mb_s": round(mb / t_ours, 2),
        "pydifact_mb_s": round(mb / t_peer, 2),
        "ratio_vs_pydifact": round(t_peer / t_ours, 1),
    }


def _max_rss_mb() -> float:
    """Peak resident set size of this process in MiB.

    Linux's VmHWM, because ru_maxrss of a child carries its parent's peak over fork/exec.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def stream_file(path: str) -> dict[str, Any]:
    """Stream ``path`` through the envelope reader; max RSS before and after (MiB)."""
    before = _max_rss_mb()
    t0 = time.perf_counter()
    with open(path, "rb") as src:
        reader = EnvelopeReader(src)
        messages = sum(1 for _ in reader)
    return {
        "stream_messages": messages,
        "stream_issues": len(reader.issues),
        "stream_seconds": round(time.perf_counter() - t0, 1),
        "stream_rss_before_mib": round(before, 1),
        "stream_rss_peak_mib": round(_max_rss_mb(), 1),
    }


def measure_memory(size_mb: float = 100.0) -> dict[str, Any]:
    """Write a ``size_mb`` MB interchange to disk and stream it in a fresh process.

    A fresh process, so that its max RSS is not the high-water mark of the benchmarks
    above (pydifact alone holds the whole 5 MB interchange many times over).
    """
    fd, name = tempfile.mkstemp(suffix=".edi")
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in iter_interchange(messages_for_size(size_mb)):
                out.write(piece)
        size = os.path.getsize(name)
        child = subprocess.run(
            [sys.executable, __file__, "--stream-file", name],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(name)
    figures: dict[str, Any] = json.loads(child.stdout.splitlines()[-1])
    growth = figures["stream_rss_peak_mib"] - figures["stream_rss_before_mib"]
    figures.update(
        stream_file_mb=round(size / 1_000_000, 1), stream_rss_growth_mib=round(growth, 1)
    )
    return figures


def measure_end_to_end(data: bytes, *, standard: bool = False) -> dict[str, Any]:
    """Declarations per second from interchange bytes to committed answers, in SQLite.

    ``standard=False`` measures the spine (envelopes, checks, mapping, registration,
    CONTRL and CUSRES); ``standard=True`` the full pipeline with the sample tariff and
    registries loaded: assessment, manifest reconciliation, controls and decision.
    """
    key = "e2e_full" if standard else "e2e"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        _load_offices(engine)
        settings = Settings()
        if standard:
            _load_samples(engine)
            pipeline = Pipeline.standard(engine, settings)
        else:
            pipeline = Pipeline(engine, settings)
        started = time.perf_counter()
        outcome = pipeline.submit(data)
        seconds = time.perf_counter() - started
        engine.dispose()
    registered = sum(1 for d in outcome.declarations if d.number)
    if registered != len(outcome.declarations):
        raise SystemExit(f"benchmark data was not accepted: {outcome.declarations[0].reasons}")
    return {
        f"{key}_declarations": registered,
        f"{key}_seconds": round(seconds, 2),
        f"{key}_declarations_per_s": round(registered / seconds),
    }


def _load_offices(engine: Any) -> None:
    """The sample customs offices and the generated ports beside the sample's 2248:
    declarations are numbered only for registered offices."""
    samples = Path(__file__).resolve().parents[1] / "samples"
    ports = "".join(
        f'{{"code": "{code}", "name": "Customs office {code}", "country": "CN",'
        f' "valid_from": "2000-01-01"}}\n'
        for code in ("2249", "2233")
    )
    documents = [
        Document.read(samples / "offices" / "offices.jsonl"),
        Document("benchmark-ports.jsonl", ports.encode()),
    ]
    offices.load(Application(engine, Settings()), LOCAL_OPERATOR, documents)


def _load_samples(engine: Any) -> None:
    samples = Path(__file__).resolve().parents[1] / "samples"
    with UnitOfWork(session_factory(engine)) as uow:
        for schedule in sorted((samples / "tariffs").glob("*.jsonl")):
            tariff_store.load_file(uow.session, schedule, SystemClock().now())
        registry_store.load_files(
            uow.session, sorted((samples / "registries").glob("*.jsonl")), SystemClock().now()
        )
        uow.commit()


def main(argv: list[str] | None = None) -> None:
    """Print the figures; the last line is a JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peer-runs", type=int, default=2)
    parser.add_argument(
        "--full-messages", type=int, default=300, help="declarations for the full-pipeline figure"
    )
    parser.add_argument("--memory", action="store_true", help="also stream a 100 MB file")
    parser.add_argument("--memory-mb", type=float, default=100.0)
    parser.add_argument("--stream-file", help=argparse.SUPPRESS)  # the --memory child
    args = parser.parse_args(argv)
    if args.stream_file:
        print(json.dumps(stream_file(args.stream_file)))
        return
    data = generate_interchange(messages_for_size(args.size_mb))
    figures = measure_parse(data, args.runs, args.peer_runs)
    print(
        f"interchange: {figures['size_mb']} MB, {figures['message_segments']} segments in messages"
    )
    print(
        f"ours: tokenize {figures['tokenize_mb_s']} MB/s, tokenize+envelope "
        f"{figures['parse_mb_s']} MB/s"
    )
    print(f"pydifact 0.2.3 Interchange.from_str + get_messages: {figures['pydifact_mb_s']} MB/s")
    print(f"ratio: {figures['ratio_vs_pydifact']}x")
    figures.update(measure_end_to_end(data))
    print(
        f"end to end into SQLite (one core, one interchange): {figures['e2e_declarations']} "
        f"five-item declarations in {figures['e2e_seconds']} s = "
        f"{figures['e2e_declarations_per_s']} declarations/s"
    )
    full = generate_interchange(args.full_messages)
    figures.update(measure_end_to_end(full, standard=True))
    print(
        f"full pipeline (assessment, manifest check, controls, decision): "
        f"{figures['e2e_full_declarations']} declarations in {figures['e2e_full_seconds']} s = "
        f"{figures['e2e_full_declarations_per_s']} declarations/s"
    )
    if args.memory:
        mem = measure_memory(args.memory_mb)
        print(
            f"streamed {mem['stream_file_mb']} MB ({mem['stream_messages']} messages) in "
            f"{mem['stream_seconds']} s: max RSS {mem['stream_rss_peak_mib']} MiB, "
            f"{mem['stream_rss_growth_mib']:.1f} MiB above the process before reading"
        )
        figures.update(mem)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
