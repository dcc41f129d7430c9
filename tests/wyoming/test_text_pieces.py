"""Cutting text into pieces: bounded, clean, and nothing lost."""

from __future__ import annotations

import pytest

from wyoming_servers.tts.text_pieces import MAX_PIECE_CHARS, TextSplitter


def split(text: str, fragment: int = 0) -> list[str]:
    """All pieces of `text`, fed whole or in fragments of `fragment` characters."""
    splitter = TextSplitter()
    step = fragment or len(text) or 1
    pieces = [p for i in range(0, len(text), step) for p in splitter.add(text[i : i + step])]
    return pieces + splitter.finish()


@pytest.mark.parametrize("fragment", [0, 7])
@pytest.mark.parametrize(
    "text",
    [
        "1234567890" * 2000,  # 20,000 digits, no space at all
        "word " * 3000,  # no sentence end
        "Une phrase, puis une autre, et encore une autre, " * 100,  # clauses only
    ],
)
def test_long_text_is_cut_into_bounded_pieces_and_nothing_is_lost(text: str, fragment: int) -> None:
    pieces = split(text, fragment)
    assert max(len(p) for p in pieces) <= MAX_PIECE_CHARS
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_clauses_are_preferred_cuts() -> None:
    pieces = split("Une phrase, puis une autre, et encore une autre, " * 100)
    assert all(p.endswith(",") for p in pieces[:-1])


def test_control_characters_are_dropped_and_the_rest_is_kept() -> None:
    pieces = split("The kitchen\x00 light\x07 is on.\x1b[0m Good\x7f night.")
    assert pieces == ["The kitchen light is on.", "[0m Good night."]


def test_ordinary_sentences_are_unchanged() -> None:
    text = "The front door is locked. The lights are off. Good night!"
    assert split(text) == ["The front door is locked.", "The lights are off.", "Good night!"]
