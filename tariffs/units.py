"""Units of measure for specific duties and quantities, with conversion inside a dimension.

A specific duty is "an amount per unit" (CNY 1.30/kg, GBP 0.50/l …). A quantity declared in
another unit of the *same dimension* converts by a fixed factor (g → kg, t → kg, ml → l). Across
dimensions (litres of beer to tonnes) there is no fixed factor; a duty component states its own
equivalence for that (see ``DutyComponent.equivalents``).

Unit symbols are ours (short, ASCII); :data:`CN_UNIT_CODES` maps the Chinese statutory unit codes
(计量单位代码) seen on declarations onto them *(verify against the official code table)*.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tariffs.errors import UnknownUnitError


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: ``factor`` of them make how many base units of ``dimension``."""

    symbol: str
    dimension: str
    factor: Decimal
    label_en: str
    label_zh: str


def _u(symbol: str, dimension: str, factor: str, en: str, zh: str) -> Unit:
    return Unit(symbol, dimension, Decimal(factor), en, zh)


#: Base units: mass kg, volume l, count piece, pair, area m², length m, energy kWh.
UNITS: dict[str, Unit] = {
    u.symbol: u
    for u in (
        _u("g", "mass", "0.001", "g", "克"),
        _u("carat", "mass", "0.0002", "carat", "克拉"),
        _u("500g", "mass", "0.5", "500 g", "500克"),
        _u("kg", "mass", "1", "kg", "千克"),
        _u("100kg", "mass", "100", "100 kg", "100千克"),
        _u("t", "mass", "1000", "t", "吨"),
        _u("ml", "volume", "0.001", "ml", "毫升"),
        _u("500ml", "volume", "0.5", "500 ml", "500毫升"),
        _u("l", "volume", "1", "l", "升"),
        _u("hl", "volume", "100", "hl", "百升"),
        _u("m3", "volume", "1000", "m³", "立方米"),
        _u("pce", "count", "1", "piece", "个/件/台"),
        _u("100pce", "count", "100", "100 pieces", "百个"),
        _u("1000pce", "count", "1000", "1,000 pieces", "千个/千支"),
        _u("pair", "pair", "1", "pair", "双"),
        _u("m2", "area", "1", "m²", "平方米"),
        _u("m", "length", "1", "m", "米"),
        _u("kwh", "energy", "1", "kWh", "千瓦时"),
    )
}

#: Chinese statutory unit codes → our symbols *(verify)*. Counting units (台, 个, 件, 辆, 支 …)
#: all map to pieces; 千支 (thousand sticks, cigarettes) to 1,000 pieces.
CN_UNIT_CODES: dict[str, str] = {
    "001": "pce",  # 台
    "003": "pce",  # 辆
    "006": "pce",  # 套
    "007": "pce",  # 个
    "008": "pce",  # 只
    "009": "pce",  # 头
    "011": "pce",  # 件
    "012": "pce",  # 支
    "025": "pair",  # 双
    "030": "m",  # 米
    "032": "m2",  # 平方米
    "033": "m3",  # 立方米
    "035": "kg",  # 千克
    "036": "g",  # 克
    "070": "t",  # 吨
    "084": "carat",  # 克拉
    "095": "l",  # 升
    "096": "ml",  # 毫升
    "143": "1000pce",  # 千支
}


#: UN/ECE Recommendation 20 codes (used by EDIFACT/WCO messages) → our symbols.
REC20_UNIT_CODES: dict[str, str] = {
    "GRM": "g",
    "CTM": "carat",
    "KGM": "kg",
    "TNE": "t",
    "MLT": "ml",
    "LTR": "l",
    "HLT": "hl",
    "MTQ": "m3",
    "NAR": "pce",
    "H87": "pce",
    "C62": "pce",
    "MIL": "1000pce",
    "PR": "pair",
    "MTK": "m2",
    "MTR": "m",
    "KWH": "kwh",
}


def unit_symbol(code: str) -> str:
    """Our symbol for ``code``: a symbol, a UN/ECE Rec. 20 code or a Chinese unit code."""
    if code in UNITS:
        return code
    symbol = REC20_UNIT_CODES.get(code.upper()) or CN_UNIT_CODES.get(code)
    if symbol is None:
        raise UnknownUnitError(f"unknown unit code {code!r}")
    return symbol


def unit(symbol: str) -> Unit:
    """Look up a unit by symbol; raises :class:`UnknownUnitError` if unknown."""
    try:
        return UNITS[symbol]
    except KeyError:
        known = ", ".join(sorted(UNITS))
        raise UnknownUnitError(f"unknown unit {symbol!r} (known: {known})") from None


def to_base(value: Decimal, symbol: str) -> tuple[str, Decimal]:
    """Convert ``value`` in unit ``symbol`` to (dimension, value in the base unit)."""
    u = unit(symbol)
    return u.dimension, value * u.factor
