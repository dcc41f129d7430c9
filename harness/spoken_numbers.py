"""Numbers as values, for scoring: "deux" and "2", "quatre-vingt-dix" and "90" are one word.

Whisper writes a number in digits or in words as it pleases ("appuyez sur un" / "sur 1"), and
so do transcripts; a word error rate that counts that as an error measures spelling, not
hearing. Like Whisper's own evaluation normalizer, number words become digits before words
are compared. English and French cardinals up to the thousands are read; a run of number words
is one number only where the language composes them ("vingt et un", "quatre-vingt-dix",
"two hundred and five"), so a list said digit by digit ("un, deux, trois") stays a list.
"""

from __future__ import annotations

_UNITS = {
    # English
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
    # French
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
    "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
}  # fmt: skip
_SCALES = {"hundred": 100, "cent": 100, "cents": 100, "thousand": 1000, "mille": 1000}
_JOINERS = {"and", "et"}  # "vingt et un", "two hundred and five"


def _value(word: str) -> int | None:
    for table in (_UNITS, _TENS, _SCALES):
        if word in table:
            return table[word]
    return None


def _adds_to(part: int, done: int, value: int) -> bool:
    """Whether `value` is said after `part` to be added to it."""
    tens = part % 100
    return (
        (tens in (60, 80) and 1 <= value <= 19)  # soixante-dix, quatre-vingt-onze
        or (tens >= 20 and tens % 10 == 0 and 1 <= value <= 9)  # twenty-one, trente-deux
        or (tens == 0 and bool(part or done) and value < 100)  # cent deux, mille trois
    )


class _Number:
    """A number being read word by word."""

    def __init__(self, first: int) -> None:
        self.done = 0  # thousands and above, complete
        self.part = 0  # below a thousand, still growing
        if first in (100, 1000):
            self.take(first)  # "cent", "mille": one hundred, one thousand
        else:
            self.part = first

    def take(self, value: int) -> bool:
        """Add the next number word if the language composes it with what came; else False."""
        part = self.part
        if value == 1000:
            self.done, self.part = (self.done + max(part, 1)) * 1000, 0
        elif value == 100 and part % 100 == part and part < 10:
            self.part = max(part, 1) * 100
        elif value == 20 and part % 100 == 4:  # quatre-vingt(s)
            self.part = part - 4 + 80
        elif _adds_to(part, self.done, value):
            self.part = part + value
        else:
            return False
        return True

    @property
    def value(self) -> int:
        return self.done + self.part


def numbers_as_digits(words: list[str]) -> list[str]:
    """`words` (lower case) with each spoken number replaced by its digits."""
    out: list[str] = []
    number: _Number | None = None
    i = 0
    while i < len(words):
        word = words[i]
        value = _value(word)
        if word in _JOINERS and number is not None and i + 1 < len(words):
            following = _value(words[i + 1])
            if following is not None and number.take(following):
                i += 2
                continue
        if value is not None and number is not None and number.take(value):
            i += 1
            continue
        if number is not None:
            out.append(str(number.value))
            number = None
        if value is not None:
            number = _Number(value)
        else:
            out.append(word)
        i += 1
    if number is not None:
        out.append(str(number.value))
    return out
