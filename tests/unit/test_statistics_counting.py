"""Cross-tabs sum (cell, trader) pairs by counting when the slots fit, by sorting otherwise:
both ways give the same table, to the cent and the trader."""

from __future__ import annotations

import numpy as np
import pytest

from clearance.statistics import cube
from clearance.statistics.cube import Query, crosstab
from clearance.statistics.generate import Shape, synthetic

QUERIES = [
    Query("hs2", "partner", "M", 202501, 202506),
    Query("month", "flow"),
    Query("trade_mode", "region"),
    Query("hs4", None, "X", 202502, 202502, {"partner": ("US", "JP")}),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.rows}x{q.columns}")
def test_counting_and_sorting_agree(query: Query, monkeypatch: pytest.MonkeyPatch) -> None:
    cols = synthetic(Shape(items=30_000, first_period=202501, months=6, seed=9), 1, 1)
    counted = crosstab(cols, query)
    monkeypatch.setattr(cube, "DENSE_SLOTS", 0)  # force the sort
    sorted_ = crosstab(cols, query)
    assert counted.row_labels == sorted_.row_labels
    assert counted.column_labels == sorted_.column_labels
    for name in counted.sums:
        assert np.array_equal(counted.sums[name], sorted_.sums[name])
    for name in ("items", "traders", "top1", "top2"):
        assert np.array_equal(getattr(counted, name), getattr(sorted_, name)), name


def test_sums_too_large_for_exact_floats_are_sorted() -> None:
    key = np.array([0, 0, 1], np.int64)
    huge = np.array([2**52, 2**52, 1], np.int64)
    assert cube._dense_pairs(key, 4, [huge]) is None
    keys, (sums,), counts = cube._dense_pairs(key, 4, [np.array([5, 7, 1], np.int64)]) or (
        np.zeros(0, np.int64),
        [np.zeros(0, np.int64)],
        np.zeros(0, np.int64),
    )
    assert keys.tolist() == [0, 1] and sums.tolist() == [12, 1] and counts.tolist() == [2, 1]
