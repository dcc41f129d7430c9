"""Benchmarks: scripts that print tables (not tests)."""
