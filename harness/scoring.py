"""Word error rate: how far a transcript is from what was said.

Words are compared after the usual normalization: case, punctuation, the form of accents and
how a number is written ("deux" = "2", `spoken_numbers.py`) do not count as errors."""

from __future__ import annotations

import re
import unicodedata

from .spoken_numbers import numbers_as_digits

# Words are letters/digits with inner apostrophes ("don't", "l'heure"); case, accents' form
# (NFC), punctuation and typographic apostrophes do not count as errors.
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def words(text: str) -> list[str]:
    normalized = unicodedata.normalize("NFC", text).casefold().replace("\u2019", "'")
    return numbers_as_digits(_WORD.findall(normalized))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance in words, reference words)."""
    ref, hyp = words(reference), words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1], len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance / reference length."""
    errors, count = word_errors(reference, hypothesis)
    return errors / max(1, count)
