"""Real recorded speech: Debian's Asterisk prompts, one English (en_US, "Allison") and one French
(fr_CA, "June") speaker at 16 kHz, with their transcripts.

`ensure_recorded_speech` in scripts/bootstrap.sh (run by scripts/test.sh) unpacks them into
.cache/recorded-speech/<language>/: <prompt>.g722 files and transcripts.txt, whose lines read
`vm-goodbye: Goodbye.` or `digits/5: five` (`;` starts a comment).

What the transcripts need, and what is done here (checked against Whisper base's hearing):
- [..] and <..> describe sounds ("[ascending tones]", "<beep ascending>", "at [@]"): dropped.
- (..) are stage directions ("(1 second of silence)", "(ahooga)", "Pour (emphase)",
  "IAX (note: does not say "2")", "(simple tone sound plays)"): dropped, except the French
  "(ne m'appelez plus, jamais)", which is read aloud: only its parentheses go.
- "..." marks a half prompt joined to another at run time: dropped, like stray straight and
  curly double quotes; spaces are collapsed (and one restored after a colon, French).
- * and # are read as "star"/"pound" ("étoile"/"dièse"): written so.
- Numbers stay as written: digits inside sentences ("press 1", "dial 500"), words for the
  digits/ prompts ("five"). `pick` leaves out transcripts with digits by default, since how
  they are spoken ("500": "five hundred") is not written down.
- Prompts left without words (tones, silences, four empty French lines) are skipped, as are
  audio files without a transcript and transcripts without audio.
- Misspellings are corrected (`_FIXES`: "umute", "witheld", "présentemnet", missing French
  accents, the many spellings of "verrouiller", doubled words...); grammar slips read aloud
  as written ("Veuillez recomposez") are kept.
- French: a missing line break glues vm-review-nonurgent's older text to vm-record-prepend:
  split (the later line wins); two names differ from their audio file (`_RENAMES`); a few
  recordings say something else than their transcript (`_MISMATCHED`): left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import av
import numpy as np

from harness.audio_clip import CHANNELS, RATE, WIDTH, AudioClip

CORPUS = Path(__file__).resolve().parents[1] / ".cache" / "recorded-speech"

# Transcript names that differ from their audio file's name (language -> {written: audio}).
_RENAMES = {"fr": {"confbridge-lock-out-0": "confbridge-lock-out", "dollars": "digits/dollars"}}
# Recordings whose words differ from the transcript (Whisper hears other fluent words; vm-mismatch
# is too short for its second sentence; digits/h-80 repeats h-70's text).
_MISMATCHED = {
    "fr": {
        "digits/h-80", "followme/status", "please-try-call-later", "sorry-youre-having-problems",
        "speed-dial-empty", "vm-marked-urgent", "vm-mismatch", "vm-rec-name", "vm-rec-unv",
        "vm-review-urgent",
    }
}  # fmt: skip
_SYMBOLS = {"en": {"*": "star", "#": "pound"}, "fr": {"*": "étoile", "#": "dièse"}}
_SPOKEN_ASIDES = {"ne m'appelez plus, jamais"}
# Misspelt words and phrases, matched whole (language -> {written: spoken}).
_FIXES = {
    "en": {
        "umute": "unmute", "represenatives": "representatives", "Un-indentified": "Unidentified",
        "witheld": "withheld", "exclaimation": "exclamation", "fourtieth": "fortieth",
    },
    "fr": {
        "présentemnet": "présentement", "seixième": "seizième", "millardième": "milliardième",
        "conctact": "contacte", "Pous": "Pour", "desirez": "désirez", "ce tte": "cette",
        "votre votre": "votre", "et et": "et", "étez": "été", "étés": "été", "répétér": "répéter",
        "démontration": "démonstration", "acceuil": "accueil", "appellant": "appelant",
        "somme desolé": "sommes désolés", "Desole": "Désolé", "problemes": "problèmes",
        "etre rappler": "être rappelé", "etes": "êtes", "etait": "était", "ete": "été",
        "presentement": "présentement", "occupes": "occupés", "simultane": "simultané",
        "numero": "numéro", "Numero": "Numéro", "telephone": "téléphone", "boite": "boîte",
        "Felicitation": "Félicitation", "premieres": "premières", "vérrouiller": "verrouiller",
        "vérouiller": "verrouiller", "verouillée": "verrouillée", "vérouillée": "verrouillée",
        "dévérouiller": "déverrouiller", "déverouillée": "déverrouillée",
        "dévérouillée": "déverrouillée",
    },
}  # fmt: skip
_SOUND = re.compile(r"\[[^]]*\]|<[^>]*>")
_PAREN = re.compile(r"\(([^)]*)\)")
_QUOTES = re.compile(r"[\"“”]|\.\.\.|…")  # quotes and ellipses
# A prompt name glued after a sentence's end (a missing line break).
_GLUED = re.compile(r"(?<=[.!?])(?=[a-z][\w/-]*: )")


class RecordedSpeechMissing(RuntimeError):
    """The corpus has not been fetched."""


@dataclass(frozen=True)
class RecordedUtterance:
    name: str  # the prompt's path without extension, e.g. "digits/5" or "vm-goodbye"
    transcript: str
    clip: AudioClip  # 16 kHz mono s16

    @property
    def words(self) -> int:
        return len(self.transcript.split())


def clean(text: str, language: str) -> str:
    """The words spoken, from a transcript line's text (see the module docstring)."""
    text = _SOUND.sub(" ", text)
    text = _PAREN.sub(lambda m: f" {m[1]} " if m[1] in _SPOKEN_ASIDES else " ", text)
    text = _QUOTES.sub(" ", text)
    text = re.sub(r":(?=\S)", ": ", text)
    for symbol, word in _SYMBOLS.get(language, {}).items():
        text = text.replace(symbol, f" {word} ")
    if fixes := _FIXES.get(language):
        whole = "|".join(re.escape(wrong) for wrong in fixes)
        text = re.sub(rf"(?<!\w)(?:{whole})(?!\w)", lambda m: fixes[m[0]], text)
    # Dropping a bracket or an ellipsis can strand a comma or a full stop.
    return re.sub(r"^[\s,.]+|\s+(?=[,.])", "", " ".join(text.split()))


def transcripts(language: str) -> dict[str, str]:
    """Prompt name -> cleaned transcript, for the prompts that have words."""
    renames, mismatched = _RENAMES.get(language, {}), _MISMATCHED.get(language, set())
    text = (_folder(language) / "transcripts.txt").read_text(encoding="utf-8")
    result = {}
    for line in _GLUED.sub("\n", text).splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        name, _, said = line.partition(":")
        name = renames.get(name.strip(), name.strip())
        if (words := clean(said, language)) and name not in mismatched:
            result[name] = words  # a later line wins (see the glued line above)
    return result


def decode_g722(path: Path) -> AudioClip:
    """A G.722 file as 16 kHz mono s16 (the codec's own rate; the resampler makes sure)."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    pieces: list[np.ndarray] = []
    with av.open(str(path), format="g722") as container:
        for frame in container.decode(audio=0):
            pieces += [out.to_ndarray() for out in resampler.resample(frame)]
    pieces += [out.to_ndarray() for out in resampler.resample(None)]  # flush
    audio = np.concatenate(pieces, axis=None).astype("<i2") if pieces else np.empty(0, "<i2")
    return AudioClip(audio.tobytes(), rate=RATE, width=WIDTH, channels=CHANNELS)


def recorded_speech(language: str) -> list[RecordedUtterance]:
    """Every prompt of `language` ("en" or "fr") with both audio and words, sorted by name."""
    return list(_load(language))


@cache  # decoding ~560 files takes a moment; tests and benchmarks ask more than once
def _load(language: str) -> tuple[RecordedUtterance, ...]:
    folder = _folder(language)
    texts = transcripts(language)
    return tuple(
        RecordedUtterance(name, texts[name], decode_g722(folder / f"{name}.g722"))
        for name in sorted(texts)
        if (folder / f"{name}.g722").is_file()
    )


def _folder(language: str) -> Path:
    if not (CORPUS / ".complete").is_file():
        raise RecordedSpeechMissing(
            f"no recorded speech in {CORPUS}: run `bash scripts/test.sh` once, or "
            "`source scripts/bootstrap.sh && ensure_recorded_speech`"
        )
    folder = CORPUS / language
    if not folder.is_dir():
        have = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
        raise ValueError(f"no recorded speech for {language!r} (have: {', '.join(have)})")
    return folder


def pick(
    utterances: Sequence[RecordedUtterance],
    count: int,
    min_words: int = 3,
    max_seconds: float = 10.0,
    digits: bool = False,
) -> list[RecordedUtterance]:
    """`count` utterances of at least `min_words` words and at most `max_seconds`, spread
    evenly over the (name-sorted) list so they come from different prompt families; without
    `digits`, none with digits (their spoken form is not written). Deterministic."""
    fit = [
        u
        for u in utterances
        if u.words >= min_words
        and u.clip.seconds <= max_seconds
        and (digits or not re.search(r"\d", u.transcript))
    ]
    if count >= len(fit):
        return fit
    return [fit[i * len(fit) // count] for i in range(count)]
