"""Argument types the command groups share (argparse turns their errors into exit 2)."""

from __future__ import annotations

import argparse


def positive(text: str) -> int:
    """A whole number of 1 or more (``--limit``, ``--batch``): 0 or a negative number is refused
    here, not answered with nothing (0) or everything (SQLite's LIMIT -1) or a store error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def port(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, not {value}")
    return value
