"""What the other contexts may use of `enforcement`: its public face (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds the
# rest already here.
from videophone.enforcement.services import restrictions
from videophone.enforcement.texts import notice_texts_enforcement

__all__ = ["notice_texts_enforcement", "restrictions"]
