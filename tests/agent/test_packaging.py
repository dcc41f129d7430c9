"""What HACS and hassfest check: manifest, hacs.json, icon, translations."""

import json
import re
import struct
import tomllib
from pathlib import Path
from typing import Any

from homeassistant.const import __version__ as ha_version

ROOT = Path(__file__).resolve().parents[2]
COMPONENT = ROOT / "custom_components" / "heisenberg"


def _keys(tree: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in tree.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{key}.")
    return keys


def test_manifest_is_valid_for_hassfest_and_hacs() -> None:
    manifest = json.loads((COMPONENT / "manifest.json").read_text())
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "heisenberg"
    assert manifest["config_flow"] is True
    assert manifest["dependencies"] == ["conversation"]
    assert manifest["integration_type"] == "service"
    assert manifest["requirements"] == []
    for key in ("version", "issue_tracker", "documentation", "codeowners", "iot_class"):
        assert manifest[key]


def test_hacs_json_names_a_minimum_ha_version_we_satisfy() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text())
    minimum = tuple(int(part) for part in hacs["homeassistant"].split(".")[:2])
    assert minimum <= tuple(int(part) for part in ha_version.split(".")[:2])


def test_brand_icon_is_a_256_png() -> None:
    data = (COMPONENT / "brand" / "icon.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (256, 256)


def test_french_translation_is_complete() -> None:
    english = json.loads((COMPONENT / "translations" / "en.json").read_text())
    french = json.loads((COMPONENT / "translations" / "fr.json").read_text())
    strings = json.loads((COMPONENT / "strings.json").read_text())
    assert _keys(french) == _keys(english) == _keys(strings)
    assert (
        french["config"]["error"]["cannot_connect"] != english["config"]["error"]["cannot_connect"]
    )


def test_one_version_for_the_manifest_the_package_and_release_tags() -> None:
    """A release is the tag v<version> (`.github/workflows/release.yaml` checks it)."""
    manifest = json.loads((COMPONENT / "manifest.json").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert manifest["version"] == project["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    release = (ROOT / ".github" / "workflows" / "release.yaml").read_text()
    assert '"v${version}"' in release


def test_the_repository_has_its_licence() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0" in licence
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == (
        "Apache-2.0"
    )
