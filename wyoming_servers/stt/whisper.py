"""The faster-whisper `Transcriber`: Whisper models loaded once and shared, the choice of
model for a language, and how it decodes (options chosen by word error rate and time on real
French and English speech, `benchmarks/stt_recorded.py`)."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper import __version__ as faster_whisper_version
from faster_whisper.tokenizer import _LANGUAGE_CODES
from wyoming.info import AsrModel, AsrProgram, Attribution

from ..server.model_sources import ModelSource
from ..server.pool import JobStopped
from .repeats import cut_repeats
from .transcriber import normalize_language

_LOGGER = logging.getLogger(__name__)


class _ShortWindowWhisper(WhisperModel):
    """A `WhisperModel` whose encoder can be run on less than Whisper's 30 s window.

    faster-whisper pads every window to 30 s (3000 feature frames) and encodes all of it,
    whatever was said: for a 2-second command, 0.5 s of CPU for tiny.en, four times what its
    decoder needs. The encoder takes any length up to 30 s, and Whisper transcribes a voice
    command as well from a 20-second window (the command, then silence, as in training): while
    `encoder_frames` is set, `encode` is given only that many frames. Measured on the recorded
    prompts of 10 s or less (`benchmarks/stt_recorded.py`'s sets, offline): tiny.en, 528
    English prompts, word error rate 0.069 against 0.067 with 30 s, decode 248 against 669 ms;
    a 10 s window lost more (0.079), as Whisper then repeats short words ("Pound! Pound!").
    """

    encoder_frames: int | None = None

    def encode(self, features: np.ndarray) -> ctranslate2.StorageView:
        if self.encoder_frames is not None and features.shape[-1] > self.encoder_frames:
            features = np.ascontiguousarray(features[..., : self.encoder_frames])
        return super().encode(features)


@dataclass
class LoadedWhisper:
    source: ModelSource
    model: _ShortWindowWhisper
    languages: list[str]
    # CTranslate2 models may be called from several threads, but two calls at once on a
    # 2-core machine only slow both down; the pool serialises anyway, this is a safety net.
    lock: threading.Lock


@dataclass(frozen=True)
class DecodeOptions:
    beam_size: int = 5
    initial_prompt: str | None = None
    # Decoded tokens allowed per second of audio (plus a few for short audio): fluent French,
    # the densest here, is under 7.5 tokens a second, while a decoder stuck in a loop
    # ("de l'écriture de l'écriture ...") would run to Whisper's 448 tokens.
    tokens_per_second: float = 10.0
    # Audio up to half of `short_window_seconds` is encoded in a window of that length
    # instead of 30 s (see `_ShortWindowWhisper`); 0 = always 30 s.
    short_window_seconds: float = 20.0


class WhisperTranscriber:
    """The loaded Whisper models and the default language (a `Transcriber`)."""

    def __init__(
        self,
        sources: list[ModelSource],
        default_language: str,
        compute_type: str,
        cpu_threads: int,
        options: DecodeOptions,
    ) -> None:
        if not sources:
            raise ValueError("no speech-to-text model is installed or given with --model")
        self.options = options
        self.models: list[LoadedWhisper] = []
        for source in sources:
            _LOGGER.info("Loading Whisper model %s from %s", source.name, source.path)
            model = _ShortWindowWhisper(
                str(source.path),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=cpu_threads,
                local_files_only=True,
            )
            # An English-only model must not advertise Whisper's hundred languages.
            languages = sorted(_LANGUAGE_CODES) if model.model.is_multilingual else ["en"]
            self.models.append(LoadedWhisper(source, model, languages, threading.Lock()))
        language = normalize_language(default_language)
        if language is None or self.model_for(language) is None:
            raise ValueError(f"no installed speech-to-text model supports '{default_language}'")
        self._default_language = language

    @property
    def default_language(self) -> str:
        return self._default_language

    def knows(self, language: str) -> bool:
        return self.model_for(language) is not None

    def model_for(self, language: str) -> LoadedWhisper | None:
        """The first model that knows the language; given models keep their command-line order,
        so the English-only tiny.en (listed first by default) serves English and the
        multilingual base serves the rest."""
        return next((m for m in self.models if language in m.languages), None)

    def program(self) -> AsrProgram:
        whisper = Attribution(name="OpenAI Whisper", url="https://github.com/openai/whisper")
        return AsrProgram(
            name="heisenberg-faster-whisper",
            description="faster-whisper speech-to-text (Heisenberg)",
            attribution=Attribution(
                name="SYSTRAN faster-whisper", url="https://github.com/SYSTRAN/faster-whisper"
            ),
            installed=True,
            version=faster_whisper_version,
            models=[
                AsrModel(
                    name=m.source.name,
                    description=f"Whisper {m.source.name} ({m.source.path})",
                    attribution=whisper,
                    installed=True,
                    languages=m.languages,
                    version=m.source.version,
                )
                for m in self.models
            ],
        )

    def warm_up(self) -> None:
        """One short decode per model, so the first real request does not pay CTranslate2's
        first-call allocations."""
        silence = np.zeros(RATE_SECONDS, dtype=np.float32)
        for loaded in self.models:
            self._decode(
                loaded,
                silence,
                loaded.languages[0] if len(loaded.languages) == 1 else self.default_language,
                DecodeOptions(beam_size=1),
            )

    def transcribe(self, pcm: bytes, language: str, stop: threading.Event | None = None) -> str:
        """Blocking: 16 kHz mono s16 PCM -> stripped text. Runs in the inference pool; raises
        `JobStopped` once `stop` is set, before the first window or between windows."""
        loaded = self.model_for(language)
        if loaded is None:  # the handler checks `knows` first; kept for direct callers
            raise ValueError(f"no model for language '{language}'")
        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        return self._decode(loaded, audio, language, self.options, stop)

    @staticmethod
    def _decode(
        loaded: LoadedWhisper,
        audio: np.ndarray,
        language: str,
        options: DecodeOptions,
        stop: threading.Event | None = None,
    ) -> str:
        with loaded.lock, _encoder_window(loaded.model, len(audio), options):
            segments, _info = loaded.model.transcribe(
                audio,
                language=language,
                beam_size=options.beam_size,
                initial_prompt=options.initial_prompt,
                # A voice command is one 30 s window: there, timestamps only cost decoder
                # steps (and measured worse on real French speech). Longer audio needs them:
                # the next window then starts after the last whole phrase, not at 30 s in the
                # middle of a word (English WER on the three longest prompts 0.076 -> 0.048).
                # Conditioning on the previous window's text matters only then too.
                without_timestamps=len(audio) <= WINDOW_SECONDS * RATE_SECONDS,
                condition_on_previous_text=True,
                # One beam-search pass. Whisper's temperature fallback re-decodes up to five
                # more times, sampling, when the text looks repetitive or unlikely: seconds on
                # short commands and on audio in another language than asked, for no gain in
                # word error rate on real French and English speech.
                temperature=0.0,
                max_new_tokens=token_budget(len(audio) / RATE_SECONDS, options),
            )
            # `transcribe` has computed the features (about 0.15 s for 60 s of audio); each 30 s
            # window is decoded when the segments are read. CTranslate2 cannot be interrupted
            # within a window, so a decode nobody wants stops before its first window or
            # between two (a dropped 60 s upload no longer holds the worker for 6 s).
            duration = len(audio) / RATE_SECONDS
            _check(stop)
            texts = []
            for segment in segments:
                texts.append(segment.text.strip())
                if segment.end < duration - _LAST_WINDOW_TAIL:  # another window may follow
                    _check(stop)
            text = " ".join(texts).strip()
        return cut_repeats(text)


@contextlib.contextmanager
def _encoder_window(
    model: _ShortWindowWhisper, samples: int, options: DecodeOptions
) -> Iterator[None]:
    """Encode short audio in a short window for the length of one decode."""
    window = options.short_window_seconds
    if window > 0 and samples <= window * SHORT_WINDOW_SPEECH * RATE_SECONDS:
        model.encoder_frames = int(window * FRAMES_PER_SECOND)
    try:
        yield
    finally:
        model.encoder_frames = None


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise JobStopped


def token_budget(seconds: float, options: DecodeOptions) -> int | None:
    """Tokens the decoder may write for audio this long: proportional to it, so a decoder loop
    costs time in proportion to what was said, not Whisper's full 448 tokens per window.
    None (Whisper's own limit) beyond one window: 448 tokens per 30 s is proportional already,
    and a window's text with its timestamps must not be cut short."""
    budget = int(_MIN_TOKENS + options.tokens_per_second * seconds)
    # The prompt (initial prompt, language and task tokens) shares Whisper's 448 positions and
    # may take up to half of them. A budget that large is no tighter than Whisper's own limit,
    # and capping it would cut a long, dense window's last words (measured on 20-30 s French
    # prompts full of numbers): leave it to Whisper.
    if seconds > WINDOW_SECONDS or budget >= _MAX_NEW_TOKENS:
        return None
    return budget


RATE_SECONDS = 16000  # one second of samples at 16 kHz
FRAMES_PER_SECOND = 100  # Whisper's feature frames
# The part of a short window the audio may fill: the rest is silence, as Whisper's training
# windows ended (a window cut right after the speech garbled half the words; one 10% longer
# than the speech made it repeat short words: measured).
SHORT_WINDOW_SPEECH = 0.5
WINDOW_SECONDS = 30.0  # what Whisper hears at once
_MIN_TOKENS = 10  # a one-word answer still needs its word, punctuation and end token
_MAX_NEW_TOKENS = 448 // 2 - 4
# A segment ending this close to the end of the audio is the last one: stopping after it would
# only throw away a finished decode (a guess that is kept after all).
_LAST_WINDOW_TAIL = 1.0
