"""What the other contexts may use of `enforcement` (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds
# the rest already here.
from videophone.enforcement.services import restrictions
from videophone.enforcement.services.restrictions import Reason
from videophone.enforcement.services.restrictions import Scope

__all__ = ["Reason", "Scope", "restrictions"]
