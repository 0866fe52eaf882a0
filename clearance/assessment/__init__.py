"""Tariff assessment in the pipeline: the declaration as the tariff engine asks for it, the stored
schedule versions, and the assessment step.
"""
