"""Intake: format detection, the pipeline (receive, then one unit of work per file) and one flow
per channel (EDIFACT, XML, X12).
"""
