"""What the other contexts may use of `identity` (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds
# the rest already here.
from videophone.identity.services import numbers
from videophone.identity.services.auth import Principal
from videophone.identity.services.throttling import Throttling
from videophone.identity.services import agreement

__all__ = ["Principal", "Throttling", "agreement", "numbers"]
