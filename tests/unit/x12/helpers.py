"""Small builders for X12 test interchanges (one place to get the ISA widths right)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from edi.x12 import X12Issue, X12ReadResult, read_x12

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "x12"
VALID_4010 = SAMPLES / "01-manifest-v123e-4010.x12"

#: A minimal valid 309 body (between ST and SE): one bill, one container, one goods line.
BODY_309: tuple[str, ...] = (
    "M10*COSU*O*CN*9312341*COSCO SHIPPING ARIES*V123E*000001*1*A*L",
    "P4*CNSHA*20261201*1",
    "LX*1",
    "M11*6123456780*VNSGN*1200*CTN*16650.5*K******COSU",
    "N1*CN*SHANGHAI OCEAN FOODS TRADING CO LTD",
    "VID*CN*CSQU*3054383",
    "N10*1200*FROZEN PANGASIUS FILLETS**Z*0304620000**K*16650.5",
)


def isa(
    version: str = "00401",
    control: int = 1,
    *,
    rep: str | None = None,
    component: str = ">",
    terminator: str = "~",
    sender: str = "COSU",
) -> str:
    """A well-formed ISA (106 characters including the terminator)."""
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        sender.ljust(15),
        "ZZ",
        "CNCUSTOMS".ljust(15),
        "261128",
        "0930",
        rep or ("^" if version == "00501" else "U"),
        version,
        f"{control:09d}",
        "0",
        "P",
        component,
    ]
    return "*".join(fields) + terminator


def interchange(
    sets: Sequence[Sequence[str]] = (BODY_309,),
    *,
    set_id: str = "309",
    version: str = "004010",
    terminator: str = "~",
    eol: str = "\n",
    se_counts: Sequence[int | None] | None = None,
    group_count: int | None = None,
    group_control: str = "1",
    control: int = 1,
) -> str:
    """ISA, one GS, ``sets`` as ST..SE (SE01 right unless ``se_counts`` says), GE, IEA."""
    isa_v = "00401" if version.startswith("004") else "00501"
    lines = [isa(isa_v, control, terminator="")]
    fid = "SO" if version.startswith("004") else "AQ"
    lines.append(f"GS*{fid}*COSU*CNCUSTOMS*20261128*0930*{group_control}*X*{version}")
    for n, body in enumerate(sets, start=1):
        count = (se_counts or [None] * len(sets))[n - 1]
        lines += [f"ST*{set_id}*{n:04d}", *body, f"SE*{count or len(body) + 2}*{n:04d}"]
    lines.append(f"GE*{group_count if group_count is not None else len(sets)}*{group_control}")
    lines.append(f"IEA*1*{control:09d}")
    return "".join(line + terminator + eol for line in lines)


def read(text: str) -> X12ReadResult:
    """``read_x12`` of ``text`` encoded as UTF-8."""
    return read_x12(text.encode())


def codes(issues: Sequence[X12Issue]) -> list[tuple[str, str]]:
    """(level, code) of every issue, for compact assertions."""
    return [(i.level.value, i.code) for i in issues]
