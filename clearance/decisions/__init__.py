"""Controls in the pipeline: registries, ledgers, decisions, officer actions, rebates, replay.

``ControlsAndDecision`` is the declaration step (see :mod:`clearance.decisions.step`); the other
modules serve it and the ``customs registry / officer / rebates / replay`` commands.
"""

from clearance.decisions.step import ControlsAndDecision

__all__ = ["ControlsAndDecision"]
