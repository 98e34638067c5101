"""All SQL of the reporting context: the dashboard's figures, aggregated in the database."""
