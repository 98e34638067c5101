"""All SQL of the terminals context: the units, their warranty claims and photos, client releases."""
