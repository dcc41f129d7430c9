"""All three services in one process on one port: `python -m wyoming_servers`.

Home Assistant's `wyoming` integration reads one `info` and creates the wake word, STT and TTS
entities from a single entry. Flags that exist in several services get a prefix here
(`--stt-model`, `--wake-model`, `--stt-max-queue`, ...); the others keep their names.
"""

from __future__ import annotations

import sys

from .server.runner import main
from .stt import service as stt
from .tts import service as tts
from .wake import service as wake

main(
    [stt, tts, wake],
    "python -m wyoming_servers",
    "Wyoming wake word (openWakeWord, microWakeWord), speech-to-text (faster-whisper) and "
    "text-to-speech (Piper, SVOX Pico) in one server",
    "heisenberg",
    sys.argv[1:],
)
