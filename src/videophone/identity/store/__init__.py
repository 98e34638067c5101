"""All SQL of the identity context: the use cases in ``services/`` read and write rows only through it."""
