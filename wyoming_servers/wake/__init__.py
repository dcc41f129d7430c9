"""The wake service (see `service.py`)."""
