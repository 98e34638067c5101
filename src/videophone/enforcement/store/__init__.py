"""All SQL of the enforcement context: restrictions, violations and their evidence, lawful suspensions."""
