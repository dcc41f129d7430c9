"""End-to-end: a spoken request through a real HA Assist pipeline and every real part."""
