"""The tts service (see `service.py`)."""
