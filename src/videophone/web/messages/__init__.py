"""User-facing messages for coded errors, by locale."""
