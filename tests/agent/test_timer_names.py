"""A timer's name read from the request when the model's call leaves it out."""

import pytest

from custom_components.heisenberg.assist_tools.timer_names import timer_name


@pytest.mark.parametrize(
    ("request_text", "name"),
    [
        ("Set a pasta timer for 12 minutes", "pasta"),
        ("Start a timer for the laundry, 40 minutes", "laundry"),
        ("Set a timer called pizza for ten minutes", "pizza"),
        ("Lance un minuteur de 3 minutes pour les œufs", "œufs"),
        ("Mets un minuteur appelé gâteau de vingt minutes", "gâteau"),
        ("Minuteur pour le riz, douze minutes", "riz"),
    ],
)
def test_a_named_timer_keeps_its_name(request_text: str, name: str) -> None:
    assert timer_name(request_text) == name


@pytest.mark.parametrize(
    "request_text",
    [
        "Set a timer for five minutes",
        "Set a 5 minute timer",
        "Set a five minute timer",
        "Start a new timer for 3 minutes",
        "Mets un minuteur de dix minutes",
        "Lance un minuteur pour cinq minutes",
    ],
)
def test_a_length_is_never_a_name(request_text: str) -> None:
    assert timer_name(request_text) == ""
