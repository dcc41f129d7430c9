"""Heisenberg's Wyoming servers: wake word (openWakeWord), speech-to-text (faster-whisper)
and text-to-speech (Piper), alone or all three in one process on one port."""

__version__ = "0.1.0"
