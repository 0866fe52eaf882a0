"""A CUSDEC profile's tables as the segment handlers read them, built once per profile.

The profile's tables map a qualifier to an enum member (``"27"`` → ``ItemLocation.
ORIGIN_COUNTRY``); the handlers want the field's name. An enum member's ``.value`` goes
through the enum's descriptor, about as costly as the rest of a handler's lookup, and the
mapping asked for it some 40 times a message. :func:`tables_of` gives the same tables with
plain names, and the profile's rules indexed by segment tag (rebuilt for every message
before), kept per profile.
"""

from __future__ import annotations

from dataclasses import dataclass

from edi.edifact.profile import ChargeRule, CusdecProfile, FieldRule

__all__ = ["ProfileTables", "tables_of"]


@dataclass(frozen=True, slots=True)
class ProfileTables:
    """What the handlers look up, by qualifier, with field names as plain strings."""

    header_dates: dict[str, str]  # DTM 2005 → header field
    header_locations: dict[str, tuple[str, bool]]  # LOC 3227 → (header field, is a country)
    item_locations: dict[str, str]  # LOC 3227 → item field
    header_amounts: dict[str, tuple[str, ChargeRule]]  # MOA 5025 → (header field, rule)
    item_amounts: dict[str, str]  # MOA 5025 → item field
    measures: dict[str, str]  # MEA 6313 → field
    customs_codes: dict[str, str]  # CST C246 1131 → field
    rules: dict[str, tuple[FieldRule, ...]]  # the profile's rules by segment tag
    group_rules: bool  # some rule names a segment group (the mapping then needs the paths)

    @classmethod
    def of(cls, profile: CusdecProfile) -> ProfileTables:
        """The tables of ``profile``."""
        rules: dict[str, list[FieldRule]] = {}
        for rule in profile.rules:
            rules.setdefault(rule.segment, []).append(rule)
        return cls(
            header_dates={q: f.value for q, f in profile.header_dates.items()},
            header_locations={
                q: (f.value, f.value.endswith("_country"))
                for q, f in profile.header_locations.items()
            },
            item_locations={q: f.value for q, f in profile.item_locations.items()},
            header_amounts={q: (r.field.value, r) for q, r in profile.header_amounts.items()},
            item_amounts={q: f.value for q, f in profile.item_amounts.items()},
            measures={q: f.value for q, f in profile.measures.items()},
            customs_codes={q: f.value for q, f in profile.customs_codes.items()},
            rules={tag: tuple(found) for tag, found in rules.items()},
            group_rules=any(rule.group for rule in profile.rules),
        )


#: Tables per profile, by identity (the profile is kept, so its id is not reused). Profiles
#: are few (the shipped ones and an installation's own); ad-hoc ones (tests) start afresh.
_HELD: dict[int, tuple[CusdecProfile, ProfileTables]] = {}
_PROFILES = 32


def tables_of(profile: CusdecProfile) -> ProfileTables:
    """The tables of ``profile``, built on its first use."""
    held = _HELD.get(id(profile))
    if held is None or held[0] is not profile:
        if len(_HELD) >= _PROFILES:
            _HELD.clear()
        held = _HELD[id(profile)] = (profile, ProfileTables.of(profile))
    return held[1]
