"""Wake word detection: `python -m wyoming_servers.wake`.

`service` (flags, loading, `info`), `handler` (one connection's streams: batching, triggers,
refractory time, the quiet pause), `detector` (the `WakeDetector` interface an engine
implements), `openwakeword` and `tflite_accel` (openWakeWord), `models` (wake words from
PyPI or files).
"""
