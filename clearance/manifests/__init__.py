"""Customs manifests (X12 309) at rest, the manifest reconciliation step (舱单核销) and
the 350 status messages to carriers.
"""
