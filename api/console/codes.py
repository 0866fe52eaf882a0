"""What the codes the application layer returns are called on the pages (in English; the
catalogue translates the English as it translates any other text of the pages).

A code without a label here (a new event kind, say) is shown as its words, ``new_kind`` →
"New kind", so a page never fails on one.
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    # statuses of a declaration
    "registered": "Registered",
    "documents_required": "Documents required",
    "under_control": "Under control",
    "released": "Released",
    "rejected": "Rejected",
    "invalidated": "Invalidated",
    # messages
    "accepted": "Accepted",
    # rebate records
    "awaiting_exit_confirmation": "Awaiting exit confirmation",
    "confirmed": "Exit confirmed",
    "transmitted": "Sent to the tax authority",
    # officer work
    "blue": "Blue",
    "open": "Open",
    "answered": "Answered",
    "documentary": "Documentary check",
    "physical": "Physical examination",
    "conform": "Conform",
    "discrepancy": "Discrepancy",
    "not_presented": "Not presented",
    # licences and certificates
    "licence": "Licence",
    "certificate": "Certificate of origin",
    "active": "Active",
    "suspended": "Suspended",
    "revoked": "Revoked",
    "cancelled": "Cancelled",
    "valid": "Valid",
    "expired": "Expired",
    # roles
    "operator": "Operator",
    "admin": "Administrator",
    "trader": "Trader",
    "broker": "Customs broker",
    "officer": "Customs officer",
    "supervisor": "Supervisor",
    "agency": "Licensing agency",
    "statistician": "Statistician",
    "fx_authority": "Foreign exchange authority",
    # lanes
    "green": "Green",
    "yellow": "Yellow",
    "red": "Red",
    # what a finding weighs, and who decided
    "info": "Information",
    "warning": "Warning",
    "documents": "Documents",
    "inspection": "Physical inspection",
    "not selected": "Not selected",
    "auto": "Automatically",
    # decisions
    "release": "Release",
    "reject": "Reject",
    "inspect": "Inspect",
    # directions
    "import": "Import",
    "export": "Export",
    # versions
    "original": "Original",
    "amendment": "Amendment",
    "cancellation": "Cancellation",
    # party roles
    "consignee": "Consignee",
    "consignor": "Consignor",
    "overseas_consignor": "Overseas consignor",
    "overseas_consignee": "Overseas consignee",
    "declarant": "Declarant",
    "importer": "Importer",
    "exporter": "Exporter",
    "manufacturer": "Manufacturer",
    "carrier": "Carrier",
    "representative": "Representative",
    # taxes
    "customs_duty": "Customs duty",
    "vat": "Import VAT",
    "excise": "Consumption tax",
    # events
    "received": "Received",
    "duplicate": "Duplicate",
    "syntax_accepted": "Syntax accepted",
    "syntax_rejected": "Syntax rejected",
    "amended": "Amended",
    "change_refused": "Change refused",
    "failed": "Failed",
    "manifest_received": "Manifest received",
    "manifest_matched": "Manifest matched",
    "assessed": "Assessed",
    "lane_assigned": "Lane assigned",
    "documents_requested": "Documents requested",
    "officer_decided": "Officer decided",
    "exit_confirmed": "Exit confirmed",
    "rebate_batch_acknowledged": "Rebate batch acknowledged",
    "claimed": "Claimed",
    "unclaimed": "Released by the officer",
    "claim_reassigned": "Reassigned",
    "documents_presented": "Documents presented",
    "examination_recorded": "Examination recorded",
    "decided": "Decided",
}


def label(code: str | None) -> str:
    """The English name of ``code`` (its words when it has none)."""
    if not code:
        return ""
    return LABELS.get(code) or code.replace("_", " ").capitalize()
