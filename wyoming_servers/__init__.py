"""Heisenberg's Wyoming servers: wake word (openWakeWord), speech-to-text (faster-whisper)
and text-to-speech (Piper), alone or all three in one process on one port.

- `server/`: what every service shares (runner, connection, protocol, pool, audio, zeroconf
  announce, model sources).
- `stt/`, `tts/`, `wake/`: one package per service: its `__main__`, its `service` (flags,
  model loading, `info`), its per-connection `handler`, and its engine(s) behind a small
  interface (`Transcriber`, `Synthesizer`, `WakeDetector`).
- `__main__`: the three services in one process (`python -m wyoming_servers`).
"""

__version__ = "0.1.0"
