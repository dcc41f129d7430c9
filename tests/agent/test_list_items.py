"""Which list item the user means when HA needs its exact text."""

import pytest

from custom_components.heisenberg.assist_tools.list_items import closest_item

ITEMS = ["Tomatoes", "eggs (6)", "Lait", "lait d'avoine", "Pain complet", "coffee"]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("tomates", "Tomatoes"),
        ("les tomates", "Tomatoes"),
        ("the tomato", "Tomatoes"),
        ("eggs", "eggs (6)"),
        ("lait", "Lait"),  # the same words beat an item that says more
        ("du pain complet", "Pain complet"),
        ("Coffee", "coffee"),
    ],
)
def test_the_item_the_user_means_is_found_in_the_list(said: str, expected: str) -> None:
    assert closest_item(said, ITEMS) == expected


@pytest.mark.parametrize("said", ["bananas", "", "the", "avoine pain"])
def test_nothing_clear_is_left_as_said(said: str) -> None:
    assert closest_item(said, ITEMS) is None


def test_two_items_as_close_are_not_guessed() -> None:
    assert closest_item("pommes", ["Pommes vertes", "Pommes rouges"]) is None
