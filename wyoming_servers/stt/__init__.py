"""The stt service (see `service.py`)."""
