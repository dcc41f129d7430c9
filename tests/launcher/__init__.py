"""Tests of the main job (`python -m launcher`, run by scripts/run.sh)."""
