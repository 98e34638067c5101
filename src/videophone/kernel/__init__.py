"""The shared kernel: what every part of the business speaks (events between the contexts, ADR 0007)."""
