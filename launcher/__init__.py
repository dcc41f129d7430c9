"""Starts Heisenberg's local back end (llama-server, later the Wyoming servers) for users and tests."""
