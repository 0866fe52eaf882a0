"""Wire formats ⇄ the canonical model: EDIFACT (X12 and XML to follow)."""
