"""The declaration lifecycle: numbers, registration, amendment, invalidation (listed cases after
release), exits and the event log.
"""
