"""Ledgers in the store (licences, certificate lines, tariff quotas): heads, immutable entries,
balances under row locks.
"""
