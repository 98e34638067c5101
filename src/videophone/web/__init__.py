"""The thin HTTP edge: JSON API, pages, error mapping."""
