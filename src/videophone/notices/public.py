"""What the other contexts may use of `notices` (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds
# the rest already here.
from videophone.notices.services import notifications
from videophone.notices.services.announcements import add_announcement
from videophone.notices.services.notifications import notify
from videophone.notices.services.push import send_call, send_call_over

__all__ = ["add_announcement", "notifications", "notify", "send_call", "send_call_over"]
