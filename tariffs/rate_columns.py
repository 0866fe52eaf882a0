"""Steps 1–5 of the rate selection (base, quota, overrides, preferences, contenders).

See :mod:`tariffs.selection` and docs/duties.md, "Rate selection".
"""

from __future__ import annotations

from tariffs.measures import Measure
from tariffs.plan_context import PlanContext
from tariffs.plans import Candidate


class RateChooser:
    """Steps 1–5 of the module docstring for one item."""

    def __init__(self, b: PlanContext, measures: list[Measure]) -> None:
        self.b = b
        self.rs = b.r.rate_selection
        self.cols: dict[str, list[Measure]] = {}
        for m in measures:
            self.cols.setdefault(m.type, []).append(m)
        self.claim_note()

    def claim_note(self) -> None:
        """Note a preference claimed that cannot apply (unknown, non-member, no rate)."""
        pref, b = self.b.item.preference, self.b
        if not pref:
            return
        group = b.s.groups.get(pref)
        if group is None:
            b.notes.append(f"preference {pref} claimed: no such agreement in the schedule")
        elif not b.s.is_member(pref, b.country, b.as_of):
            b.notes.append(
                f"preference {pref} claimed: origin {b.country} is not a member of {pref} "
                "on the declaration date"
            )
        elif not any(m.geo == pref for ms in self.cols.values() for m in ms):
            b.notes.append(f"preference {pref} claimed: no {pref} rate for this code")

    def one(self, type_: str | None) -> Measure | None:
        """The measure of rate type ``type_`` in force for the origin, if any."""
        ms = self.cols.get(type_) if type_ else None
        return ms[0] if ms else None

    def choose(self) -> None:
        """Fill the plan: contenders, reasons and the alternatives."""
        b, rs = self.b, self.rs
        base_type = next((t for t in rs.base if t in self.cols), None)
        if base_type is None:
            b.plan.problems = (
                f"no {' or '.join(rs.base)} rate in force for {b.item.code} origin {b.country}",
            )
            return
        base = b.candidate(self.cols[base_type][0])
        reason = f"{base.label} for origin {b.country}"
        if base_type != rs.base[0]:
            first = b.s.measure_types[rs.base[0]].name_en
            reason = f"{base.label}: no {first} applies to origin {b.country}"
        for t in rs.base[rs.base.index(base_type) + 1 :]:
            for m in self.cols.get(t, []):
                why = f"applies only where no {b.s.measure_types[base_type].name_en} applies"
                b.others.append((b.candidate(m), why, ()))
        quota = self.quota()
        base, reason = self.quota_out(base, reason, quota, base_type == rs.base[0])
        base, reason = self.overrides(base, reason)
        eligible = self.preferences()
        self.finish(base, reason, eligible, quota)

    def quota(self) -> Candidate | None:
        """The in-quota candidate if the quota applies; else record why not."""
        b, m = self.b, self.one(self.rs.quota_in)
        if m is None:
            return None
        cand, missing = b.check(m)
        quota = b.s.quotas.get(m.quota or "")
        order = m.quota or "?"
        if quota is not None and not (quota.period_from <= b.as_of <= quota.period_to):
            b.others.append(
                (b.candidate(m), f"quota {order} is not open on the declaration date", ())
            )
            return None
        if order in b.exhausted:
            b.others.append((b.candidate(m), f"quota {order} has no balance left", ()))
            return None
        if cand is None:
            b.others.append((b.candidate(m), f"needs {b.docs(missing)}", missing))
            return None
        return cand

    def quota_out(
        self, base: Candidate, reason: str, quota: Candidate | None, first_base: bool
    ) -> tuple[Candidate, str]:
        """Outside the quota, an out-of-quota rate replaces an MFN-type base."""
        m, b = self.one(self.rs.quota_out), self.b
        if m is None:
            return base, reason
        out = b.candidate(m)
        if quota is not None or not first_base:
            b.others.append((out, "applies only outside the tariff quota", ()))
            return base, reason
        b.others.append((base, f"is replaced by the {out.label} outside the quota", ()))
        return out, f"{out.label}: goods outside the tariff quota"

    def overrides(self, base: Candidate, reason: str) -> tuple[Candidate, str]:
        """Apply overrides (a provisional rate replaces the MFN rate)."""
        b = self.b
        for ov in self.rs.overrides:
            m = self.one(ov.type)
            if m is None:
                continue
            cand = b.candidate(m)
            if base.type in ov.over:
                b.others.append((base, f"is replaced by the {cand.label}", ()))
                base, reason = cand, f"{cand.label} replaces the {base.label}"
            else:
                b.others.append((cand, f"does not apply over the {base.label}", ()))
        return base, reason

    def preferences(self) -> list[tuple[Candidate, str]]:
        """Eligible preferences (proof presented) with their reasons."""
        b, eligible = self.b, []
        for t in self.rs.preferences:
            for m in self.cols.get(t, []):
                cand, missing = b.check(m)
                unclaimed = b.unclaimed(m) if cand is None else None
                if unclaimed is not None:
                    # Its proof would not count: the item does not claim this agreement.
                    why = f"needs the item to claim {unclaimed}, with {b.docs(missing)}"
                    b.others.append((b.candidate(m), why, missing))
                elif cand is None:
                    b.others.append((b.candidate(m), f"needs {b.docs(missing)}", missing))
                else:
                    eligible.append((cand, f"{cand.label} with proof of origin"))
        return eligible

    def finish(
        self,
        base: Candidate,
        reason: str,
        eligible: list[tuple[Candidate, str]],
        quota: Candidate | None,
    ) -> None:
        """Contenders: the base and eligible preferences (or the in-quota rate)."""
        b = self.b
        contenders: list[tuple[Candidate, str]] = [(base, reason)]
        if quota is not None:
            in_quota = (quota, f"{quota.label} within the tariff quota")
            if self.rs.in_quota_vs_others == "quota":
                for cand, _ in [*contenders, *eligible]:
                    b.others.append((cand, "does not apply: the in-quota rate applies", ()))
                contenders, eligible = [in_quota], []
            else:
                eligible = [*eligible, in_quota]
        if eligible and self.rs.preference_vs_base == "preference":
            b.others.append((base, "does not apply: the preference applies", ()))
            contenders = []
        contenders += eligible
        labels = ", ".join(c.label for c, _ in contenders)
        plan = b.plan
        plan.contenders = tuple(c for c, _ in contenders)
        plan.chosen = tuple(
            c.chosen(f"{r}; the lowest of {labels}" if len(contenders) > 1 else r)
            for c, r in contenders
        )
        plan.loser_why = tuple("is eligible but not lower than the chosen rate" for _ in contenders)
