"""Speech-to-text: `python -m wyoming_servers.stt`.

`service` (flags, loading, `info`), `handler` (one connection; speculative decoding),
`transcriber` (the `Transcriber` interface an engine implements), `whisper` (faster-whisper),
`models` (Whisper models from PyPI or a directory).
"""
