"""The SVOX Pico `Synthesizer`: French (and German, Spanish, Italian, English) voices.

No French Piper voice is in any package reachable offline; of what is (espeak-ng with the MBROLA
voices, Pico), Pico's French is the one our speech-to-text understands best (benchmarks/
tts_french.py). Pico is a small C library with no Python binding: it is driven here through
ctypes, in process, so a sentence starts to sound after a few milliseconds (no program to start,
no file to write). Its voice data is a pair of files per language (`fr-FR_ta.bin`, text
analysis; `fr-FR_nk0_sg.bin`, signal generation); the library and the data come from Debian
(`scripts/bootstrap.sh` unpacks them into .cache/pico) or from a system-wide install.

Pico allows one engine per "system" (a memory area it manages itself): each voice gets its own.
"""

from __future__ import annotations

import ctypes as C
import ctypes.util
import logging
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wyoming.info import Attribution, TtsVoice

from .synthesizer import Voice

_LOGGER = logging.getLogger(__name__)

RATE = 16000  # Pico's output: 16 kHz mono 16-bit
_MEMORY_BYTES = 2_500_000  # what pico2wave gives a system; enough for one language
_STEP_BUSY = 201
_STEP_IDLE = 200
_PCM_16BIT = 1
_PART_BYTES = RATE // 4 * 2  # yield audio every 0.25 s, so the first words are sent early
_MAX_PUT = 4096  # bytes of text handed over per call (its size argument is a 16-bit int)
# Pico reads <...> as its own markup (pitch, speed); agent text never means that.
_MARKUP = re.compile(r"[<>]")
_SYSTEM_LANG_DIR = Path("/usr/share/pico/lang")


class PicoError(RuntimeError):
    """The Pico library refused a call (bad voice data, out of memory...)."""


@dataclass
class _PicoVoice:
    """One language: its own Pico system and engine, used by one thread at a time."""

    info: Voice
    memory: C.Array[C.c_char]
    system: C.c_void_p
    engine: C.c_void_p
    lock: threading.Lock = field(default_factory=threading.Lock)


class PicoSynthesizer:
    """Pico voices found in a directory of `*_ta.bin` + `*_sg.bin` pairs (a `Synthesizer`)."""

    def __init__(self, library: Path | str, lang_dir: Path) -> None:
        self.lib = C.CDLL(str(library))
        # The Debian package's version, written by scripts/bootstrap.sh beside the voices.
        version_file = lang_dir.parent / "version"
        self.version = version_file.read_text().strip() if version_file.is_file() else None
        self._declare()
        self._loaded: dict[str, _PicoVoice] = {}
        for language, (ta, sg) in _voice_files(lang_dir).items():
            name = f"{language.replace('-', '_')}-pico"
            _LOGGER.info("Loading Pico voice %s from %s", name, lang_dir)
            self._loaded[name] = self._load(name, language, ta, sg)
        self._voices = {name: v.info for name, v in self._loaded.items()}

    @property
    def voices(self) -> Mapping[str, Voice]:
        return self._voices

    def warm_up(self) -> None:
        for name in self._loaded:
            for _ in self.stream(name, "Ok.", None):
                pass

    def stream(self, voice: str, text: str, speaker_id: int | None) -> Iterator[bytes]:
        loaded = self._loaded[voice]
        data = _MARKUP.sub(" ", text).encode("utf-8") + b"\0"  # \0: the end of this text
        pending = bytearray()
        with loaded.lock:
            for offset in range(0, len(data), _MAX_PUT):
                piece = data[offset : offset + _MAX_PUT]
                while piece:
                    put = C.c_int16()
                    self._check(
                        self.lib.pico_putTextUtf8(loaded.engine, piece, len(piece), C.byref(put))
                    )
                    piece = piece[put.value :]
                    for audio in self._drain(loaded):
                        pending += audio
                        if len(pending) >= _PART_BYTES:
                            yield bytes(pending)
                            pending.clear()
        if pending:
            yield bytes(pending)

    engine_name = "SVOX Pico"

    def info_voices(self) -> list[TtsVoice]:
        return [
            TtsVoice(
                name=name,
                description=voice.description,
                attribution=Attribution(
                    name="SVOX Pico (Debian libttspico-data)",
                    url="https://tracker.debian.org/pkg/svox",
                ),
                installed=True,
                version=self.version,
                languages=[voice.language],
            )
            for name, voice in self._voices.items()
        ]

    def _drain(self, loaded: _PicoVoice) -> Iterator[bytes]:
        """Audio for what was put so far, in the small pieces Pico makes at a time."""
        buffer = C.create_string_buffer(1024)
        received, data_type = C.c_int16(), C.c_int16()
        while True:
            status = self.lib.pico_getData(
                loaded.engine, buffer, len(buffer), C.byref(received), C.byref(data_type)
            )
            if received.value:
                if data_type.value != _PCM_16BIT:
                    raise PicoError(f"Pico gave data of type {data_type.value}, not 16-bit PCM")
                yield buffer.raw[: received.value]
            if status == _STEP_IDLE:
                return
            if status != _STEP_BUSY:
                self.lib.pico_resetEngine(loaded.engine, 0)  # PICO_RESET_FULL after an error
                raise PicoError(f"Pico failed while speaking (status {status})")

    def _load(self, name: str, language: str, ta: Path, sg: Path) -> _PicoVoice:
        memory = C.create_string_buffer(_MEMORY_BYTES)
        system = C.c_void_p()
        self._check(self.lib.pico_initialize(memory, _MEMORY_BYTES, C.byref(system)))
        voice_name = name.encode()
        self._check(self.lib.pico_createVoiceDefinition(system, voice_name))
        for path in (ta, sg):
            resource = C.c_void_p()
            self._check(self.lib.pico_loadResource(system, str(path).encode(), C.byref(resource)))
            resource_name = C.create_string_buffer(200)
            self._check(self.lib.pico_getResourceName(system, resource, resource_name))
            self._check(
                self.lib.pico_addResourceToVoiceDefinition(system, voice_name, resource_name.value)
            )
        engine = C.c_void_p()
        self._check(self.lib.pico_newEngine(system, voice_name, C.byref(engine)))
        info = Voice(
            name=name,
            language=language.replace("-", "_"),
            description=f"SVOX Pico {language}",
            sample_rate=RATE,
        )
        return _PicoVoice(info, memory, system, engine)

    def _declare(self) -> None:
        lib, ptr, i16, i32 = self.lib, C.c_void_p, C.c_int16, C.c_int32
        lib.pico_initialize.argtypes = [ptr, C.c_uint32, C.POINTER(ptr)]
        lib.pico_loadResource.argtypes = [ptr, C.c_char_p, C.POINTER(ptr)]
        lib.pico_getResourceName.argtypes = [ptr, ptr, C.c_char_p]
        lib.pico_createVoiceDefinition.argtypes = [ptr, C.c_char_p]
        lib.pico_addResourceToVoiceDefinition.argtypes = [ptr, C.c_char_p, C.c_char_p]
        lib.pico_newEngine.argtypes = [ptr, C.c_char_p, C.POINTER(ptr)]
        lib.pico_putTextUtf8.argtypes = [ptr, C.c_char_p, i16, C.POINTER(i16)]
        lib.pico_getData.argtypes = [ptr, ptr, i16, C.POINTER(i16), C.POINTER(i16)]
        lib.pico_resetEngine.argtypes = [ptr, i32]

    @staticmethod
    def _check(status: int) -> None:
        if status != 0:
            raise PicoError(f"Pico call failed with status {status}")


def _voice_files(lang_dir: Path) -> dict[str, tuple[Path, Path]]:
    """'fr-FR' -> (fr-FR_ta.bin, fr-FR_nk0_sg.bin), for each language with both files."""
    found = {}
    for ta in sorted(lang_dir.glob("*_ta.bin")):
        language = ta.name.removesuffix("_ta.bin")
        signal = sorted(lang_dir.glob(f"{language}_*_sg.bin"))
        if signal:
            found[language] = (ta, signal[0])
    return found


def find_pico(project_cache: Path) -> tuple[Path | str, Path] | None:
    """(library, voice directory): ours from .cache/pico, else a system-wide install."""
    ours = project_cache / "pico"
    if (ours / "lib" / "libttspico.so.0").is_file() and _voice_files(ours / "lang"):
        return ours / "lib" / "libttspico.so.0", ours / "lang"
    system = ctypes.util.find_library("ttspico")
    if system and _voice_files(_SYSTEM_LANG_DIR):
        return system, _SYSTEM_LANG_DIR
    return None
