"""`python -m wyoming_servers.wake`."""

from .service import main

main()
