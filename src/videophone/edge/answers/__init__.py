"""The answers of the JSON API: one module of Pydantic response models per route module."""
