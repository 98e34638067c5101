"""All SQL of the billing context: the use cases in ``billing.services`` read and write rows only here."""
