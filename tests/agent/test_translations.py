"""Every UI string can be formatted by Home Assistant's frontend (ICU messages)."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "custom_components" / "heisenberg"
FILES = [ROOT / "strings.json", *sorted((ROOT / "translations").glob("*.json"))]
# The placeholders our code passes (ConfigEntryNotReady's and the repairs' translation
# placeholders, the forms' description placeholders, the discovered flow's title).
PLACEHOLDERS = {"url", "error", "addon", "name", "line", "template_example"}


def strings(node: object, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in strings(value, f"{path}.{key}")]
    return [(path, node)] if isinstance(node, str) else []


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_every_string_is_a_valid_frontend_message(file: Path) -> None:
    for path, text in strings(json.loads(file.read_text())):
        # The frontend parses braces as ICU placeholders: {{ x }} is a MALFORMED_ARGUMENT.
        assert "{{" not in text and "}}" not in text, (path, text)
        depth = 0
        for char in text:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert 0 <= depth <= 1, (path, text)
        assert depth == 0, (path, text)
        for name in re.findall(r"\{([^{}]*)\}", text):
            assert name in PLACEHOLDERS, (path, name)


def test_translations_have_the_same_keys_as_strings() -> None:
    keys = {p for p, _ in strings(json.loads(FILES[0].read_text()))}
    for file in FILES[1:]:
        assert {p for p, _ in strings(json.loads(file.read_text()))} == keys, file.name
