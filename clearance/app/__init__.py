"""The application layer: every use case, with typed inputs and results, in one unit of work each."""
