"""What the other contexts may use of `terminals`: its public face (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds the
# rest already here.
from videophone.terminals.texts import notice_texts_terminals

__all__ = ["notice_texts_terminals"]
