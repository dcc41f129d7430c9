"""Which voice (of which engine) speaks a request: by name, else by language.

A request for a language no installed voice speaks is refused with an error that says what to
install: a French answer read by an English voice is not an answer (the text comes out as
nonsense, e.g. "Le siège de l'irrape oblique" for a sentence about Paris).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .synthesizer import Synthesizer, Voice


class VoiceError(Exception):
    """Unknown voice or speaker."""


class LanguageError(VoiceError):
    """No installed voice speaks the language asked for."""


# What to install, per language, when no voice speaks it.
_HOW_TO_GET = {
    "fr": "scripts/run.sh fetches the SVOX Pico voices (fr_FR-pico) on Debian; or install "
    "Debian's libttspico0 and libttspico-data; or put a Piper fr_FR voice (.onnx + .onnx.json) "
    "in a --data-dir",
}
_DEFAULT_HOW_TO_GET = "put a Piper voice for it (.onnx + .onnx.json) in a --data-dir"


@dataclass(frozen=True)
class ChosenVoice:
    synthesizer: Synthesizer
    voice: Voice
    speaker_id: int | None


class VoiceChoice:
    """All engines' voices, the default voice and its default speaker."""

    def __init__(
        self,
        synthesizers: Sequence[Synthesizer],
        default_voice: str | None,
        default_speaker: str | None,
    ) -> None:
        self.synthesizers = list(synthesizers)
        self.voices: dict[str, tuple[Synthesizer, Voice]] = {}
        for synthesizer in self.synthesizers:
            for name, voice in synthesizer.voices.items():
                self.voices.setdefault(name, (synthesizer, voice))
        if not self.voices:
            raise ValueError("no Piper voice is installed or given with --voice/--data-dir")
        name = default_voice or next(iter(self.voices))
        if name not in self.voices:
            raise ValueError(f"default voice '{name}' is not among {sorted(self.voices)}")
        self.default = self.voices[name]
        self.default_speaker = default_speaker

    def choose(self, name: str | None, language: str | None, speaker: str | None) -> ChosenVoice:
        """Voice by name (error if unknown), else by language (error if none speaks it), else
        the default voice."""
        synthesizer, voice = self._voice(name, language)
        return ChosenVoice(synthesizer, voice, self._speaker_id(voice, speaker))

    def _voice(self, name: str | None, language: str | None) -> tuple[Synthesizer, Voice]:
        if name:
            if name not in self.voices:
                raise VoiceError(f"unknown voice '{name}'; installed: {sorted(self.voices)}")
            return self.voices[name]
        if language:
            wanted = language.replace("-", "_").lower()
            for candidate in (wanted, wanted.split("_")[0]):
                for synthesizer, voice in self.voices.values():
                    voice_lang = voice.language.lower()
                    if candidate in (voice_lang, voice_lang.split("_")[0]):
                        return synthesizer, voice
            base = wanted.split("_")[0]
            raise LanguageError(
                f"no installed voice speaks '{language}' (installed: "
                f"{', '.join(sorted({v.language for _, v in self.voices.values()}))}); "
                f"{_HOW_TO_GET.get(base, _DEFAULT_HOW_TO_GET)}"
            )
        return self.default

    def _speaker_id(self, voice: Voice, speaker: str | None) -> int | None:
        if speaker is None and voice is self.default[1]:
            speaker = self.default_speaker
        if speaker is None or not voice.speakers:
            return None
        if speaker in voice.speakers:
            return voice.speakers[speaker]
        if speaker.isdigit() and int(speaker) in voice.speakers.values():
            return int(speaker)
        raise VoiceError(f"voice {voice.name} has no speaker '{speaker}'")
