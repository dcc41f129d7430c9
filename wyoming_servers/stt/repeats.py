"""Cutting the phrase loops Whisper falls into ("de l'écriture de l'écriture de l'écriture").

When the audio does not fit the language asked for (English speech in a French request,
noise), Whisper's decoder can repeat a phrase until its token budget runs out. The decode is
bounded elsewhere (tokens scaled to the audio's length); what is left of a loop is cut here:
a phrase said twice or more back to back is kept once.

Doubled single words are kept, since languages use them ("nous nous sommes", "très très",
"bye bye"); a single word is cut only from three times on.
"""

from __future__ import annotations

import re

_MAX_PHRASE_WORDS = 12
_WORD_CHARS = re.compile(r"[^\w']+")


def _key(word: str) -> str:
    """A word as compared: case, punctuation and typographic apostrophes do not count."""
    return _WORD_CHARS.sub("", word.casefold().replace("\u2019", "'"))


def cut_repeats(text: str) -> str:
    """`text` with back-to-back repeats of a phrase (two words or more, said at least twice;
    one word, at least three times) kept once."""
    words = text.split()
    keys = [_key(w) for w in words]
    i = 0
    while i < len(words):
        for n in range(1, min(_MAX_PHRASE_WORDS, (len(words) - i) // 2) + 1):
            phrase = keys[i : i + n]
            if not any(phrase):
                continue  # punctuation alone ("-", "...") is not a phrase
            repeats = 1
            while keys[i + repeats * n : i + (repeats + 1) * n] == phrase:
                repeats += 1
            if repeats >= (3 if n == 1 else 2):
                # Keep the last copy: it carries the sentence's closing punctuation.
                del words[i : i + (repeats - 1) * n], keys[i : i + (repeats - 1) * n]
                break
        else:
            i += 1
    return " ".join(words)
