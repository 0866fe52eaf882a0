"""Answers in the sender's own format that more than one room sends (CUSRES after an officer's
decision as well as from the intake).
"""
