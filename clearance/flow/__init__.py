"""The protocol between the intake and the declaration steps: the flow context, the step signature
and the outcomes they fill in.
"""
