"""The ``customs`` command: a thin front door over the application layer (:mod:`clearance.app`)."""

from clearance.cli.main import main

__all__ = ["main"]
