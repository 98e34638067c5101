"""Use cases.  Each public method owns one transaction (a unit of work)."""
