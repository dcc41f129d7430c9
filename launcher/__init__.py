"""Starts Heisenberg's local back end (llama-server and the Wyoming servers) for users, tests and benchmarks."""
