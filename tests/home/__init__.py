"""A fake home for device-control tests and benchmarks: real HA template and helper entities."""
