"""Everything that touches the outside world: database, crypto, PDF, clock, bus."""
