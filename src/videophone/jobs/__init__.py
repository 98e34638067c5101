"""Background jobs run inside ``videophone serve`` (and, later, bill runs, late fees, dunning)."""
