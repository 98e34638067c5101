"""The demo operator (`videophone demo`): staff for every role, demo subscribers, and months of history
made through the services as they would have happened (``history``)."""
