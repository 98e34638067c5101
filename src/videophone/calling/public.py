"""What the other contexts may use of `calling` (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds
# the rest already here.
from videophone.calling.services.calls import NODE_STALE_AFTER
from videophone.calling.services.calls import QualityView
from videophone.calling.services.calls import SampleView
from videophone.calling.services.calls import _sample as sample
from videophone.calling.services.calls import quality_view
from videophone.calling.services import capabilities
from videophone.calling.services import entitlements

__all__ = ["NODE_STALE_AFTER", "QualityView", "SampleView", "capabilities", "entitlements", "quality_view", "sample"]
