"""videophone: the platform an operator runs a video telephone service (可视电话业务) on."""

__version__ = "0.1.0"
