"""The columnar copy of the facts: numpy arrays the aggregates are computed from.

A plain ``GROUP BY`` over a million rows takes seconds on SQLite; the same cross-tab over
arrays of small integer codes takes a fraction of a second. The copy is kept in the store
(``stat_snapshots``: .npz blobs written by ``customs stats refresh``, in parts) and brought up to
date on reading with the facts changed since (``seq`` above the snapshot's), so a released
item reaches the tables as soon as the refresh has counted it.

Money is held in integer cents and quantities in thousandths (int64): sums are exact.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from clearance.store.statistics_tables import StatFact, StatSnapshot

IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int32]

#: Dimensions held as codes into a label list.
DIMENSIONS = (
    "flow",
    "hs",
    "partner",
    "consignment",
    "trade_mode",
    "office",
    "transport_mode",
    "trader",
    "region",
    "unit1",
    "unit2",
)
#: Measures as int64: money in cents, quantities in thousandths.
MEASURES = ("value_cny", "value_usd", "quantity1", "quantity2", "net_mass")
_SCALE = {"value_cny": 100, "value_usd": 100, "quantity1": 1000, "quantity2": 1000}
_SCALE["net_mass"] = 1000
#: Other integer columns.
NUMBERS = ("id", "period", "counted", "revision", "seq")


@dataclass
class Columns:
    """Every fact as columns, in fact id order."""

    seq: int = 0  # the highest fact change sequence included
    numbers: dict[str, IntArray] = field(default_factory=dict)
    codes: dict[str, CodeArray] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    measures: dict[str, IntArray] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """How many facts (counted or withdrawn)."""
        return 0 if not self.numbers else len(self.numbers["id"])

    @classmethod
    def empty(cls) -> Columns:
        """No facts."""
        cols = cls()
        for name in NUMBERS:
            cols.numbers[name] = np.zeros(0, np.int64)
        for name in MEASURES:
            cols.measures[name] = np.zeros(0, np.int64)
        for name in DIMENSIONS:
            cols.codes[name] = np.zeros(0, np.int32)
            cols.labels[name] = []
        return cols

    def merge(self, delta: Columns) -> Columns:
        """These columns with the facts of ``delta`` replacing or added (ids kept sorted)."""
        if delta.rows == 0:
            return Columns(
                max(self.seq, delta.seq), self.numbers, self.codes, self.labels, self.measures
            )
        ids, fresh_ids = self.numbers["id"], delta.numbers["id"]
        at = np.searchsorted(ids, fresh_ids)
        known = np.zeros(delta.rows, bool)
        if len(ids):
            known = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == fresh_ids)
        out = Columns(max(self.seq, delta.seq))
        codes = {name: _recode(self, delta, name, out) for name in DIMENSIONS}
        for group, target in (("numbers", out.numbers), ("measures", out.measures)):
            for name, column in getattr(self, group).items():
                fresh = getattr(delta, group)[name]
                merged = column.copy()
                merged[at[known]] = fresh[known]
                target[name] = np.concatenate([merged, fresh[~known]])
        for name in DIMENSIONS:
            merged = self.codes[name].copy()
            merged[at[known]] = codes[name][known]
            out.codes[name] = np.concatenate([merged, codes[name][~known]])
        order = np.argsort(out.numbers["id"], kind="stable")
        if not np.all(order[:-1] < order[1:]):
            out = out.take(order)
        return out

    def take(self, index: npt.NDArray[Any]) -> Columns:
        """The rows at ``index``."""
        return Columns(
            self.seq,
            {k: v[index] for k, v in self.numbers.items()},
            {k: v[index] for k, v in self.codes.items()},
            self.labels,
            {k: v[index] for k, v in self.measures.items()},
        )

    def to_bytes(self, *, labels: bool = True) -> bytes:
        """The columns as one .npz blob (``labels``: with the label lists)."""
        arrays: dict[str, Any] = {"seq": np.array([self.seq], np.int64)}
        arrays.update({f"n_{k}": v for k, v in self.numbers.items()})
        arrays.update({f"m_{k}": v for k, v in self.measures.items()})
        arrays.update({f"c_{k}": v for k, v in self.codes.items()})
        if labels:
            arrays.update({f"l_{k}": np.array(v, dtype=str) for k, v in self.labels.items()})
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Columns:
        """Columns from a blob written by :meth:`to_bytes`."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            cols = cls(int(data["seq"][0]))
            for key in data.files:
                kind, _, name = key.partition("_")
                if kind == "n":
                    cols.numbers[name] = data[key]
                elif kind == "m":
                    cols.measures[name] = data[key]
                elif kind == "c":
                    cols.codes[name] = data[key]
                elif kind == "l":
                    cols.labels[name] = [str(x) for x in data[key]]
        return cols


def _recode(base: Columns, delta: Columns, name: str, out: Columns) -> CodeArray:
    """``delta``'s codes of dimension ``name`` in ``base``'s label list (extended in ``out``)."""
    labels = list(base.labels[name])
    index = {label: i for i, label in enumerate(labels)}
    mapping = np.empty(len(delta.labels[name]), np.int32)
    for i, label in enumerate(delta.labels[name]):
        if label not in index:
            index[label] = len(labels)
            labels.append(label)
        mapping[i] = index[label]
    out.labels[name] = labels
    return mapping[delta.codes[name]] if len(mapping) else delta.codes[name]


def read_facts(session: Session, after_seq: int = 0, batch: int = 100_000) -> Columns:
    """The facts whose change sequence is above ``after_seq``, as columns (id order)."""
    select_list = ", ".join(
        ["id", "period", "CASE WHEN counted THEN 1 ELSE 0 END", "revision", "seq"]
        + [f"COALESCE({d}, '')" for d in DIMENSIONS]
        # Money and quantities as exact integers (SQLite keeps NUMERIC as REAL: round it).
        + [f"CAST(ROUND(COALESCE({m}, 0) * {_SCALE[m]}) AS BIGINT)" for m in MEASURES]
    )
    sql = text(f"SELECT {select_list} FROM stat_facts WHERE seq > :after ORDER BY id")
    result = session.connection().execute(sql, {"after": after_seq})
    numbers: list[list[int]] = [[] for _ in NUMBERS]
    strings: list[list[str]] = [[] for _ in DIMENSIONS]
    measures: list[list[int]] = [[] for _ in MEASURES]
    n, d = len(NUMBERS), len(DIMENSIONS)
    while chunk := result.fetchmany(batch):
        for row in chunk:
            for i in range(n):
                numbers[i].append(int(row[i]))
            for i in range(d):
                strings[i].append(row[n + i])
            for i in range(len(MEASURES)):
                measures[i].append(int(row[n + d + i]))
    cols = Columns()
    for name, values in zip(NUMBERS, numbers, strict=True):
        cols.numbers[name] = np.array(values, np.int64)
    for name, values in zip(MEASURES, measures, strict=True):
        cols.measures[name] = np.array(values, np.int64)
    for name, texts in zip(DIMENSIONS, strings, strict=True):
        labels, codes = np.unique(np.array(texts, dtype=str), return_inverse=True)
        cols.labels[name] = [str(x) for x in labels]
        cols.codes[name] = codes.astype(np.int32)
    seqs = cols.numbers["seq"]
    cols.seq = int(seqs.max()) if len(seqs) else after_seq
    return cols


#: Facts per stored part of the columnar copy (about 125 bytes each: ~250 MB a blob).
PART_ROWS = 2_000_000


def latest_snapshot(session: Session) -> Columns:
    """The stored columnar copy (empty when none was written yet), its parts joined."""
    blobs = session.scalars(select(StatSnapshot.content).order_by(StatSnapshot.part)).all()
    if not blobs:
        return Columns.empty()
    parts = [Columns.from_bytes(blob) for blob in blobs]
    first = parts[0]
    if len(parts) == 1:
        return first
    # Parts are runs of ids in order: concatenating keeps the id order; labels are part 0's.
    return Columns(
        first.seq,
        {k: np.concatenate([p.numbers[k] for p in parts]) for k in first.numbers},
        {k: np.concatenate([p.codes[k] for p in parts]) for k in first.codes},
        first.labels,
        {k: np.concatenate([p.measures[k] for p in parts]) for k in first.measures},
    )


def current_seq(session: Session) -> int:
    """The highest change sequence of any fact (0 without facts)."""
    return int(session.scalar(select(func.coalesce(func.max(StatFact.seq), 0))) or 0)


_CACHE: dict[str, Columns] = {}


def load(session: Session, cache_key: str) -> Columns:
    """The facts as columns, up to date: the cached or stored copy plus the facts changed since.

    ``cache_key`` names the store (its URL): a process keeps one copy per store.
    """
    newest = current_seq(session)
    cols = _CACHE.get(cache_key)
    if cols is None or cols.seq > newest:  # a new store under the same URL (tests)
        cols = latest_snapshot(session)
    if cols.seq < newest:
        cols = cols.merge(read_facts(session, cols.seq))
    _CACHE[cache_key] = cols
    return cols


def write_snapshot(session: Session, cols: Columns, now: datetime) -> None:
    """Store ``cols`` as the columnar copy, replacing the older one, in parts of
    :data:`PART_ROWS` facts."""
    session.execute(delete(StatSnapshot))
    for part, start in enumerate(range(0, max(cols.rows, 1), PART_ROWS)):
        chunk = cols.take(np.arange(start, min(start + PART_ROWS, cols.rows)))
        session.add(
            StatSnapshot(
                seq=cols.seq,
                part=part,
                rows=chunk.rows,
                content=chunk.to_bytes(labels=part == 0),
                created_at=now,
            )
        )
        session.flush()  # one blob at a time to the store


def snapshot_lag(session: Session) -> tuple[int, int]:
    """(the stored copy's sequence, how many facts changed since)."""
    seq = session.scalar(select(StatSnapshot.seq).order_by(StatSnapshot.id.desc()).limit(1)) or 0
    behind = session.scalar(select(func.count()).select_from(StatFact).where(StatFact.seq > seq))
    return int(seq), int(behind or 0)


def from_records(records: list[dict[str, Any]]) -> Columns:
    """Columns from plain records (tests, synthetic data): dimensions as strings, money in
    cents and quantities in thousandths as ints; missing fields take neutral values."""
    cols = Columns()
    n = len(records)
    for name in NUMBERS:
        default = {"id": None, "counted": 1}.get(name, 0)
        cols.numbers[name] = np.array(
            [r.get(name, i + 1 if default is None else default) for i, r in enumerate(records)],
            np.int64,
        )
    for name in MEASURES:
        cols.measures[name] = np.array([r.get(name, 0) for r in records], np.int64)
    for name in DIMENSIONS:
        values = np.array([str(r.get(name, "")) for r in records] or [""], dtype=str)[:n]
        labels, codes = np.unique(values, return_inverse=True)
        cols.labels[name] = [str(x) for x in labels]
        cols.codes[name] = codes.astype(np.int32)
    cols.seq = int(cols.numbers["seq"].max()) if n else 0
    return cols
