"""`python -m wyoming_servers.tts`."""

from .service import main

main()
