"""Tests of the conversation agent (custom_components/heisenberg)."""
