"""All SQL of the calling context: the statements the use cases in ``calling.services`` run."""
