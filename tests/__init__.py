"""Heisenberg's tests."""
