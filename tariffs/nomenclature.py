"""The nomenclature (商品编码): codes at every level with descriptions and statutory units.

China: chapter (2 digits) → heading (4) → subheading (6, HS) → national tariff line (8) →
statistical suffix (10). The EU/UK use the same depths (CN 8 + TARIC 10). Codes are strings of
digits; the level is the length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tariffs.measures import in_force


class Level(StrEnum):
    """Depth of a code in the nomenclature."""

    CHAPTER = "chapter"  # 章
    HEADING = "heading"  # 品目
    SUBHEADING = "subheading"  # 子目 (HS-6)
    NATIONAL = "national"  # 税则号列 (8 digits)
    STATISTICAL = "statistical"  # 统计商品编码 (10 digits)


LEVELS_BY_LENGTH: dict[int, Level] = {
    2: Level.CHAPTER,
    4: Level.HEADING,
    6: Level.SUBHEADING,
    8: Level.NATIONAL,
    10: Level.STATISTICAL,
}


@dataclass(frozen=True, slots=True)
class NomenclatureEntry:
    """One code with its descriptions, statutory units and validity."""

    code: str
    description_en: str
    description_zh: str
    valid_from: date
    valid_to: date | None = None
    unit1: str | None = None  # first statutory unit (法定第一计量单位)
    unit2: str | None = None  # second statutory unit (法定第二计量单位)
    supervision: str = ""  # supervision-condition codes (监管条件), e.g. "AB"

    @property
    def level(self) -> Level:
        """The level implied by the code's length."""
        return LEVELS_BY_LENGTH[len(self.code)]

    def in_force(self, as_of: date) -> bool:
        """True if the entry is valid on ``as_of``."""
        return in_force(self.valid_from, self.valid_to, as_of)


def level_of(code: str) -> Level:
    """The level of ``code``; raises ``ValueError`` for a length that is no level."""
    try:
        return LEVELS_BY_LENGTH[len(code)]
    except KeyError:
        raise ValueError(f"a commodity code has 2, 4, 6, 8 or 10 digits, not {len(code)}") from None


def ancestors(code: str) -> tuple[str, ...]:
    """``code`` and every shorter level above it, shortest first (``01``, ``0101`` …)."""
    return tuple(code[:n] for n in (2, 4, 6, 8, 10) if n <= len(code))
