"""Synthetic but realistic trade, so that figures and benchmarks are honest.

Trader sizes follow a Zipf law (a few giants, a long tail of small firms), each trader keeps
to a few chapters and partners of its own, months are seasonal (the Spring Festival dip in
February, the run-up to Christmas in the autumn), partners and commodity codes are skewed,
and values are log-normal. The same seed gives the same facts. Pure numpy: no database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clearance.statistics.columns import DIMENSIONS, MEASURES, NUMBERS, Columns

PARTNERS = [
    "US",
    "HK",
    "JP",
    "KR",
    "VN",
    "TW",
    "DE",
    "AU",
    "MY",
    "RU",
    "BR",
    "IN",
    "TH",
    "SG",
    "ID",
    "NL",
    "GB",
    "MX",
    "FR",
    "IT",
    "SA",
    "CA",
    "PH",
    "AE",
    "CL",
    "ZA",
    "TR",
    "PL",
    "ES",
    "BE",
    "PK",
    "BD",
    "IR",
    "IQ",
    "KZ",
    "NG",
    "EG",
    "PE",
    "AR",
    "NZ",
    "CH",
    "SE",
    "IE",
    "AT",
    "DK",
    "FI",
    "NO",
    "CZ",
    "HU",
    "RO",
    "UA",
    "KE",
    "ET",
    "TZ",
    "GH",
    "CI",
    "DZ",
    "MA",
    "AO",
    "CD",
    "MM",
    "KH",
    "LA",
    "MN",
    "NP",
    "LK",
    "UZ",
    "KG",
    "TJ",
    "QA",
    "KW",
    "OM",
    "BH",
    "JO",
    "IL",
    "LB",
    "CO",
    "EC",
    "VE",
    "PA",
    "CR",
    "GT",
    "DO",
    "UY",
    "PY",
    "BO",
    "CU",
    "HN",
    "NI",
    "SV",
    "PG",
    "FJ",
    "NC",
    "SB",
    "MZ",
    "ZM",
    "ZW",
    "MG",
    "SN",
    "CM",
    "GA",
    "CG",
    "LY",
    "SD",
    "TN",
]
OFFICES = [
    "2201",
    "2202",
    "2203",
    "5300",
    "5301",
    "5316",
    "5100",
    "5141",
    "4200",
    "0200",
    "0400",
    "2300",
    "2900",
    "3700",
    "4600",
    "8000",
]
TRADE_MODES = ("0110", "0615", "0214", "1210", "9610", "1233", "0200", "9710")
TRADE_MODE_WEIGHTS = (0.62, 0.12, 0.05, 0.09, 0.05, 0.03, 0.02, 0.02)
TRANSPORT = ("2", "4", "3", "1", "5")  # rail, air, road, sea, post (China's 运输方式 codes)
TRANSPORT_WEIGHTS = (0.06, 0.18, 0.16, 0.58, 0.02)
PROVINCES = [
    "11",
    "12",
    "13",
    "21",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "50",
    "51",
    "53",
    "61",
]
#: Month weights (January … December): the Spring Festival dip, the autumn peak.
SEASON = (0.085, 0.060, 0.080, 0.082, 0.084, 0.085, 0.086, 0.087, 0.088, 0.090, 0.088, 0.085)


@dataclass(frozen=True)
class Shape:
    """How much synthetic trade: items, traders, distinct 10-digit codes, months."""

    items: int
    traders: int = 0  # 0: one per 50 items, at least 30
    codes: int = 6000
    first_period: int = 202501
    months: int = 24
    seed: int = 14


def synthetic(shape: Shape, first_id: int = 1, first_seq: int = 1) -> Columns:
    """``shape.items`` facts as columns (ids and change sequence numbers from the given)."""
    rng = np.random.default_rng(shape.seed)
    n = shape.items
    n_traders = shape.traders or max(30, n // 50)
    trader = _zipf(rng, n_traders, n, 1.05)
    codes = _hs_codes(rng, shape.codes)
    # Each trader keeps to a neighbourhood of codes and partners: offset + a skewed draw.
    offset = rng.integers(0, len(codes), n_traders)
    hs = (offset[trader] + _zipf(rng, 200, n, 1.2)) % len(codes)
    p_offset = rng.integers(0, 12, n_traders)
    partner = (p_offset[trader] + _zipf(rng, len(PARTNERS), n, 1.1)) % len(PARTNERS)
    month = rng.choice(shape.months, n, p=_season(shape))
    year = shape.first_period // 100 + (shape.first_period % 100 - 1 + month) // 12
    period = year * 100 + (shape.first_period % 100 - 1 + month) % 12 + 1
    size = 1.0 / (1 + np.arange(n_traders)) ** 0.35  # the big firms ship bigger consignments
    cny = np.round(rng.lognormal(11.0, 1.6, n) * (1 + 4 * size[trader])).astype(np.int64) * 100
    rate = 7.05 + 0.1 * np.sin(month / 3.0)  # CNY per USD, moving with the month
    cols = Columns(first_seq + n - 1)
    cols.numbers = {
        "id": np.arange(first_id, first_id + n, dtype=np.int64),
        "period": period.astype(np.int64),
        "counted": np.ones(n, np.int64),
        "revision": np.zeros(n, np.int64),
        "seq": np.arange(first_seq, first_seq + n, dtype=np.int64),
    }
    mass = np.round(cny / 100 / rng.uniform(20, 400, n) * 1000).astype(np.int64)  # kg, in 1/1000
    cols.measures = {
        "value_cny": cny,
        "value_usd": np.round(cny / rate).astype(np.int64),
        "quantity1": mass,
        "quantity2": np.zeros(n, np.int64),
        "net_mass": mass,
    }
    provinces = rng.integers(0, len(PROVINCES), n_traders)
    trader_ids = [
        f"91{PROVINCES[provinces[t]]}0100MA{t:07d}X" for t in range(n_traders)
    ]  # USCC-shaped: characters 3-8 are the registering division
    dims: dict[str, tuple[list[str], npt.NDArray[np.int64]]] = {
        "flow": (["M", "X"], (rng.random(n) < 0.56).astype(np.int64)),
        "hs": (codes, hs),
        "partner": (list(PARTNERS), partner),
        "consignment": (list(PARTNERS), np.where(rng.random(n) < 0.9, partner, 1)),
        "trade_mode": (list(TRADE_MODES), rng.choice(8, n, p=TRADE_MODE_WEIGHTS)),
        "office": (OFFICES, _zipf(rng, len(OFFICES), n, 0.9)),
        "transport_mode": (list(TRANSPORT), rng.choice(5, n, p=TRANSPORT_WEIGHTS)),
        "trader": (trader_ids, trader),
        "region": (
            [f"{p}0000" for p in PROVINCES],
            provinces[trader],
        ),
        "unit1": (["KGM"], np.zeros(n, np.int64)),
        "unit2": ([""], np.zeros(n, np.int64)),
    }
    for name in DIMENSIONS:
        labels, codes_ = dims[name]
        cols.labels[name], cols.codes[name] = _sorted(labels, codes_)
    assert set(cols.numbers) == set(NUMBERS) and set(cols.measures) == set(MEASURES)
    return cols


def _zipf(rng: np.random.Generator, k: int, n: int, s: float) -> npt.NDArray[np.int64]:
    weights = 1.0 / np.arange(1, k + 1) ** s
    return rng.choice(k, n, p=weights / weights.sum()).astype(np.int64)


def _season(shape: Shape) -> npt.NDArray[np.float64]:
    start = shape.first_period % 100 - 1
    weights = np.array([SEASON[(start + m) % 12] for m in range(shape.months)])
    return np.asarray(weights / weights.sum(), np.float64)


def _hs_codes(rng: np.random.Generator, k: int) -> list[str]:
    chapters = rng.choice([c for c in range(1, 98) if c != 77], k)
    rest = rng.integers(0, 10**8, k)
    return sorted({f"{c:02d}{r:08d}" for c, r in zip(chapters, rest, strict=True)})[:k]


def _sorted(
    labels: list[str], codes: npt.NDArray[np.int64]
) -> tuple[list[str], npt.NDArray[np.int32]]:
    """Labels in sorted order (as the store's copy has them) and codes renumbered."""
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    rank = np.empty(len(labels), np.int32)
    rank[order] = np.arange(len(labels), dtype=np.int32)
    return [labels[i] for i in order], rank[codes]
