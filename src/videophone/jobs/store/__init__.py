"""The SQL of the scheduled jobs: their leases and last runs (``job_runs``)."""
