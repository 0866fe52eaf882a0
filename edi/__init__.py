"""Wire formats ⇄ the canonical model; imports only :mod:`core`, never the database.

* :mod:`edi.model` — the canonical declaration the declaration channels map into;
* :mod:`edi.edifact` — UN/EDIFACT: CUSDEC in; CONTRL and CUSRES out;
* :mod:`edi.xml` — WCO DEC-DMS and China Single Window DecMessage in; RES-DMS notifications and
  DEC_RESULT receipts out;
* :mod:`edi.x12` — ANSI X12 309 customs manifests in (to their own canonical ``Manifest``);
  TA1, 997, 999, 355 and 350 out;
* :mod:`edi.json_request` — canonical JSON requests to amend or cancel a declaration in; the
  JSON response out.
"""
