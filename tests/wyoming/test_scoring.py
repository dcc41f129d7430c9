"""The word error rate the STT tests and benchmarks score with."""

from __future__ import annotations

from harness.scoring import word_error_rate, words


def test_case_punctuation_and_apostrophes_do_not_count() -> None:
    assert word_error_rate("L\u2019heure est arrivée.", "l'heure, est arrivée") == 0.0
    assert word_error_rate("the cat", "the hat") == 0.5


def test_a_number_in_digits_or_words_is_the_same_word() -> None:
    assert words("Appuyez sur un, puis sur quatre-vingt-dix.") == [
        "appuyez",
        "sur",
        "1",
        "puis",
        "sur",
        "90",
    ]
    assert words("vingt et un") == words("21")
    assert words("mille deux cent trente-quatre") == ["1234"]
    assert words("two hundred and five") == ["205"]
    assert words("twenty-one guns") == ["21", "guns"]
    assert word_error_rate("soixante-dix-sept", "77") == 0.0


def test_numbers_said_one_by_one_stay_a_list() -> None:
    assert words("un, deux, trois, quatre") == ["1", "2", "3", "4"]
    assert words("one two three") == ["1", "2", "3"]
    # A wrong number is still an error.
    assert word_error_rate("appuyez sur deux", "appuyez sur 3") > 0
