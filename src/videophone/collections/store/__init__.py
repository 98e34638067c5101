"""All SQL of the collections context: one module per thing it reads or writes; the use cases in ``services`` call it."""
