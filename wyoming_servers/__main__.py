"""`python -m wyoming_servers`: the all-in-one server (see `all.py`)."""

from .all import main

main()
