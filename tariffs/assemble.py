"""Cross-record checks and the conversion of validated records into a :class:`Schedule`.

Checks: one header first; unique ids; known types, groups, quotas and codes; no overlapping
validity for the same nomenclature code, membership, measure key or currency; role-specific duty
shapes (VAT is one percentage, consumption tax has no maximum/minimum, money measures have a
duty); currencies of specific amounts have exchange rates.
"""

from __future__ import annotations

from collections.abc import Iterable

from tariffs.assemble_measures import COUNTRY, MeasureAssembler, Spans, unique
from tariffs.load_problems import Line, Problems
from tariffs.measures import (
    BUILTIN_MEASURE_TYPES,
    ERGA_OMNES,
    DocumentType,
    GeoGroup,
    MeasureType,
    Membership,
    Quota,
)
from tariffs.nomenclature import NomenclatureEntry
from tariffs.rates import ExchangeRate, normalise
from tariffs.records import (
    AgreementRecord,
    DocumentRecord,
    GroupRecord,
    MeasureRecord,
    MeasureTypeRecord,
    MembershipRecord,
    NomenclatureRecord,
    QuotaRecord,
    RateRecord,
    ScheduleRecord,
)
from tariffs.schedule import Schedule, ScheduleVersion


def assemble(
    lines: list[Line], problems: Problems, filename: str, content_hash: str
) -> Schedule | None:
    """Build the schedule, or report problems and return None."""
    if not lines or not isinstance(lines[0].record, ScheduleRecord):
        number = lines[0].number if lines else 1
        problems.add(number, 1, "the first record must be the 'schedule' header")
        return None
    header = lines[0].record
    return _Assembler(lines, problems, header, filename, content_hash).run()


class _Assembler:
    def __init__(
        self,
        lines: list[Line],
        problems: Problems,
        header: ScheduleRecord,
        filename: str,
        content_hash: str,
    ) -> None:
        self.lines, self.p, self.h = lines, problems, header
        self.version = ScheduleVersion(
            header.id,
            header.name,
            header.published,
            header.currency,
            content_hash,
            header.regime,
            filename,
        )
        self.of: dict[type, list[Line]] = {}
        for ln in lines[1:]:
            self.of.setdefault(type(ln.record), []).append(ln)
        if any(isinstance(ln.record, ScheduleRecord) for ln in lines[1:]):
            extra = next(ln for ln in lines[1:] if isinstance(ln.record, ScheduleRecord))
            self.p.at(extra, ("kind",), "only one 'schedule' header per file")

    def each(self, kind: type) -> Iterable[Line]:
        """The lines holding records of ``kind`` (a record class)."""
        return self.of.get(kind, [])

    def run(self) -> Schedule | None:
        """Check everything and build the schedule, or None when a problem was found."""
        types = self.measure_types()
        documents = self.documents()
        groups = self.groups()
        quotas = self.quotas()
        rates = self.rates()
        entries = self.nomenclature()
        currencies = {r.currency for r in rates} | {self.h.currency}
        measures = MeasureAssembler(self.p, self.version.source).measures(
            self.each(MeasureRecord), types, groups, quotas, {e.code for e in entries}, currencies
        )
        if self.p.items:
            return None
        return Schedule(
            self.version,
            nomenclature=entries,
            measures=measures,
            groups=groups.values(),
            quotas=quotas.values(),
            rates=rates,
            measure_types=types.values(),
            documents=documents,
        )

    def measure_types(self) -> dict[str, MeasureType]:
        """Built-in types plus the ``measure_type`` records."""
        out = dict(BUILTIN_MEASURE_TYPES)
        seen: dict[str, int] = {}
        for ln in self.each(MeasureTypeRecord):
            r = ln.record
            assert isinstance(r, MeasureTypeRecord)
            if r.id in BUILTIN_MEASURE_TYPES:
                self.p.at(ln, ("id",), f"measure type {r.id!r} is built in")
            elif unique(self.p, seen, r.id, ln, "id", "measure type"):
                out[r.id] = MeasureType(r.id, r.role, r.name_en, r.name_zh)
        return out

    def documents(self) -> list[DocumentType]:
        """The ``document`` records."""
        seen: dict[str, int] = {}
        out = []
        for ln in self.each(DocumentRecord):
            r = ln.record
            assert isinstance(r, DocumentRecord)
            if unique(self.p, seen, r.code, ln, "code", "document"):
                out.append(DocumentType(r.code, r.name_en, r.name_zh))
        return out

    def groups(self) -> dict[str, GeoGroup]:
        """Groups and agreements with their memberships."""
        seen: dict[str, int] = {ERGA_OMNES: 0}
        heads: dict[str, GroupRecord | AgreementRecord] = {}
        for ln in [*self.each(GroupRecord), *self.each(AgreementRecord)]:
            r = ln.record
            assert isinstance(r, GroupRecord | AgreementRecord)
            if COUNTRY.match(r.id):
                self.p.at(ln, ("id",), "a group id cannot look like a country code")
            elif unique(self.p, seen, r.id, ln, "id", "group"):
                heads[r.id] = r
        members: dict[str, list[Membership]] = {g: [] for g in heads}
        spans = Spans(self.p, "membership")
        for ln in self.each(MembershipRecord):
            m = ln.record
            assert isinstance(m, MembershipRecord)
            if m.group not in heads:
                self.p.at(ln, ("group",), f"unknown group {m.group!r}")
                continue
            spans.add((m.group, m.country), (m.valid_from, m.valid_to), ln)
            members[m.group].append(Membership(m.country, m.valid_from, m.valid_to))
        out = {}
        for gid, r in heads.items():
            proof = r.proof_documents if isinstance(r, AgreementRecord) else ()
            agreement = isinstance(r, AgreementRecord)
            out[gid] = GeoGroup(gid, r.name_en, r.name_zh, agreement, proof, tuple(members[gid]))
        return out

    def quotas(self) -> dict[str, Quota]:
        """The ``quota`` records by order number."""
        seen: dict[str, int] = {}
        out = {}
        for ln in self.each(QuotaRecord):
            r = ln.record
            assert isinstance(r, QuotaRecord)
            if unique(self.p, seen, r.order_number, ln, "order_number", "quota"):
                out[r.order_number] = Quota(
                    r.order_number,
                    r.description,
                    r.volume,
                    r.unit,
                    r.period_from,
                    r.period_to,
                    r.documents,
                )
        return out

    def rates(self) -> list[ExchangeRate]:
        """Exchange rates, normalised to domestic units per foreign unit."""
        spans = Spans(self.p, "rate")
        out = []
        for ln in self.each(RateRecord):
            r = ln.record
            assert isinstance(r, RateRecord)
            if r.currency == self.h.currency:
                self.p.at(ln, ("currency",), f"{r.currency} is the schedule's own currency")
                continue
            spans.add(r.currency, (r.valid_from, r.valid_to), ln)
            direct = r.quote == "domestic_per_foreign"
            rate = normalise(r.rate, r.per, direct)
            out.append(
                ExchangeRate(
                    r.currency, rate, r.valid_from, r.valid_to, r.source, r.rate, r.per, direct
                )
            )
        return out

    def nomenclature(self) -> list[NomenclatureEntry]:
        """Nomenclature entries (no overlapping validity per code)."""
        spans = Spans(self.p, "nomenclature entry")
        out = []
        for ln in self.each(NomenclatureRecord):
            r = ln.record
            assert isinstance(r, NomenclatureRecord)
            spans.add(r.code, (r.valid_from, r.valid_to), ln)
            out.append(
                NomenclatureEntry(
                    r.code,
                    r.description_en,
                    r.description_zh,
                    r.valid_from,
                    r.valid_to,
                    r.unit1,
                    r.unit2,
                    r.supervision,
                )
            )
        return out
