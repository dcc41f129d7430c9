"""`python -m wyoming_servers.stt`."""

from .service import main

main()
