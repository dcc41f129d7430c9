"""Cutting text into the pieces that are synthesized one after another.

Piper synthesizes a whole piece before returning any audio, so the time to first audio is the
time to synthesize the first piece. Sentences are the natural pieces; the *first* one is also
cut at its first natural pause (a comma, or before a conjunction) so that audio starts while the
rest is synthesized. Cutting anywhere else is opt-in (`fast_start_words`): audio starts sooner
still, but the seam can be misheard (measured: "the lights | in the kitchen" transcribed as "the
lights, and the kitchen"). Text may arrive in fragments (streaming TTS): a piece is released
only once its end is certain.
"""

from __future__ import annotations

import re

# End of sentence: . ! ? … (possibly followed by quotes/brackets), then whitespace.
_SENTENCE_END = re.compile(r"""[.!?\u2026]+["'\u201d\u2019)\]]*\s+|\n\s*""")
_CLAUSE_END = re.compile(r"""[,;:]\s+""")
# "Dr. Smith" and "e.g. this" are not sentence ends.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "no",
        "approx",
        "fig",
        "mt",
        "inc",
        "ltd",
    ]
)
# Natural pauses: before these words a speaker may breathe without changing the meaning.
_BREAK_WORDS = frozenset(
    {"and", "but", "or", "so", "because", "while", "when", "where", "which"}
    | {"et", "mais", "ou", "donc", "car", "quand", "lorsque"}
)
# A natural cut further than this into the first sentence gains too little to be worth it.
_NATURAL_HEAD_WORDS = 8
# A voice's memory and time grow with the piece it is given (10,000 digits in one piece took
# Piper to gigabytes): pieces are cut to this length (at a clause, else a word, else anywhere).
MAX_PIECE_CHARS = 300
# Control characters (NUL, escapes...) are not text: they make a voice fail. Kept: whitespace.
# Lone UTF-16 surrogates (valid JSON as "\ud800", but no character) cannot be encoded for a
# voice either: they go the same way, and the rest of the text is spoken.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class TextSplitter:
    """Accumulates text; yields pieces ready for synthesis, in order."""

    def __init__(self, fast_start_words: int = 0) -> None:
        self.fast_start_words = fast_start_words
        self._buffer = ""
        self._first = True

    def add(self, text: str) -> list[str]:
        """Add a fragment; return the pieces that are now complete."""
        self._buffer += _CONTROL.sub(" ", text)
        pieces: list[str] = []
        while True:
            piece = self._next_piece()
            if piece is None:
                return pieces
            if piece.strip():
                pieces.append(_clean(piece))

    def finish(self) -> list[str]:
        """The text has ended: everything left is the last piece (or pieces, if long)."""
        rest, self._buffer = _clean(self._buffer), ""
        if not rest:
            return []
        pieces = [rest]
        if self._first:
            self._first = False
            head, tail = _split_first(rest, self.fast_start_words)
            pieces = [p for p in (head, tail) if p]
        return [bounded for piece in pieces for bounded in _bounded(piece)]

    def _next_piece(self) -> str | None:
        end = _sentence_end(self._buffer)
        if (end is None or end > MAX_PIECE_CHARS) and len(self._buffer) > MAX_PIECE_CHARS:
            # No sentence end soon enough: a bounded piece now, the rest stays buffered.
            cut = _cut(self._buffer)
            self._first = False
            head, self._buffer = self._buffer[:cut], self._buffer[cut:]
            return head
        if self._first:
            sentence = self._buffer if end is None else self._buffer[:end]
            head, tail = _split_first(sentence.strip(), self.fast_start_words)
            # Release the head early only when it is certain: a complete sentence, or a cut
            # already followed by two words (the word after a cut may still be growing).
            if end is not None or (tail and len(tail.split()) > 1):
                self._first = False
                self._buffer = self._buffer[_after_words(self._buffer, len(head.split())) :]
                return head
            return None
        if end is None:
            return None
        piece, self._buffer = self._buffer[:end], self._buffer[end:]
        return piece


def _sentence_end(text: str) -> int | None:
    for match in _SENTENCE_END.finditer(text):
        words = text[: match.start() + 1].split()
        last = words[-1].lower().rstrip(".") if words else ""
        if match.group().startswith(".") and (last in _ABBREVIATIONS or len(last) == 1):
            continue
        return match.end()
    return None


def _split_first(sentence: str, max_words: int) -> tuple[str, str]:
    """Cut a short head off the first sentence; ('whole', '') when there is no good cut."""
    words = sentence.split()
    if len(words) <= 3:
        return sentence, ""
    clause = _CLAUSE_END.search(sentence)
    if clause is not None and 2 <= len(sentence[: clause.start()].split()) <= _NATURAL_HEAD_WORDS:
        return sentence[: clause.start() + 1].strip(), sentence[clause.end() :].strip()
    for i in range(2, min(_NATURAL_HEAD_WORDS + 1, len(words) - 1)):
        if words[i].lower() in _BREAK_WORDS:
            return " ".join(words[:i]), " ".join(words[i:])
    if 0 < max_words < len(words) - 1:
        return _continuing(words[:max_words]), " ".join(words[max_words:])
    return sentence, ""


def _continuing(words: list[str]) -> str:
    """A head cut mid-sentence ends with a comma: Piper then voices it as a short pause with
    rising intonation, not as the end of a sentence (which a listener, and Whisper, may
    mishear at the seam)."""
    return " ".join(words).rstrip(",;:") + ","


def _after_words(text: str, count: int) -> int:
    """Index just after the `count`-th whitespace-separated word of `text`."""
    matches = list(re.finditer(r"\S+", text))
    return matches[count - 1].end() if 0 < count <= len(matches) else len(text)


def _bounded(text: str) -> list[str]:
    """`text` in pieces of at most MAX_PIECE_CHARS (see `_cut`)."""
    pieces = []
    while len(text) > MAX_PIECE_CHARS:
        cut = _cut(text)
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text else pieces


def _cut(text: str) -> int:
    """Where to end a piece of a too long text: after a clause mark in its second half, else
    at its last space, else (one absurdly long "word") at the limit."""
    window = text[: MAX_PIECE_CHARS + 1]
    cut = max(window.rfind(mark) for mark in (", ", "; ", ": "))
    if cut < MAX_PIECE_CHARS // 2:
        cut = window.rfind(" ")
    return cut + 1 if cut > 0 else MAX_PIECE_CHARS


def _clean(text: str) -> str:
    """One line, single spaces (Piper reads a newline as a sentence break)."""
    return " ".join(text.split())
