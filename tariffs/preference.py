"""Which agreement an item claims, and which proof of origin serves that claim: one rule.

The tariff side (:meth:`tariffs.plan_context.PlanContext.presented`, which decides whether an
agreement rate's proof is presented) and the certificate controls (:mod:`rules.claims`, which
decide which items the COO rules check and which certificate lines are drawn) both call these
two functions, so an item cannot get an agreement rate that the controls do not check and the
ledger does not draw:

* an item claims an agreement when it says so (its preference, 优惠贸易协定享惠), or when it cites
  a certificate of origin on the item itself (an item-level proof is an item-level claim, of the
  agreement that certificate is issued under);
* a proof of origin serves agreement ``A`` for that item only when the item claims ``A`` and the
  document names ``A`` or no agreement. A header document serves the items that claim its
  agreement and no other: an item that claims nothing pays the base rate (MFN …), whatever
  the header cites.

Pure and tiny on purpose: it is the contract between ``tariffs`` and ``rules``, not a policy.
"""

from __future__ import annotations

from collections.abc import Iterable


def claimed_agreement(preference: str | None, own: Iterable[str | None]) -> str | None:
    """The agreement an item claims: its preference, else the agreement of the first proof of
    origin cited on the item itself that names one (``own``, in the item's order), else None."""
    if preference:
        return preference
    return next((a for a in own if a), None)


def proof_serves(claim: str | None, document_agreement: str | None, agreement: str) -> bool:
    """Whether a proof of origin naming ``document_agreement`` (or none) proves ``agreement``
    for an item claiming ``claim``: only for the agreement claimed, and only a document of that
    agreement or of none."""
    if not claim or claim != agreement:
        return False
    return not document_agreement or document_agreement == agreement
