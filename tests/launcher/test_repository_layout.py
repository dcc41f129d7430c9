"""One repository, two stores: HACS finds the integration, the add-on store finds one add-on.

The rules, from their own code: the Supervisor reads every `config.{yaml,yml,json}` of the
repository not under a dot-folder or a `rootfs` folder as an add-on, and skips (with a log line)
one without its required keys (supervisor/store/data.py, apps/validate.py); HACS manages the
one folder under custom_components/ (its documentation's "Repository structure")."""

import subprocess
from pathlib import Path

import yaml

from launcher.__main__ import parse_args

ROOT = Path(__file__).resolve().parents[2]
# The keys the Supervisor's add-on schema requires.
REQUIRED = {"name", "version", "slug", "description", "arch"}


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [Path(name) for name in listed]


def test_the_add_on_store_finds_exactly_one_add_on() -> None:
    found = [
        path
        for path in tracked_files()
        if path.stem == "config"
        and path.suffix in (".yaml", ".yml", ".json")
        and not any(part.startswith(".") or part == "rootfs" for part in path.parts)
    ]
    add_ons = [p for p in found if set(yaml.safe_load((ROOT / p).read_text())) >= REQUIRED]
    assert add_ons == [Path("config.yaml")]
    # The integration's hassfest file is read too, and rejected: it has none of the keys.
    others = [p for p in found if p not in add_ons]
    assert others == [Path("custom_components/heisenberg/config.yaml")]
    assert not REQUIRED & set(yaml.safe_load((ROOT / others[0]).read_text()))
    assert yaml.safe_load((ROOT / "repository.yaml").read_text())["name"]
    # The add-on's folder is the repository's root: its Dockerfile is there.
    assert (ROOT / "Dockerfile").is_file()


def test_hacs_finds_one_integration() -> None:
    folders = {p.parts[1] for p in tracked_files() if p.parts[0] == "custom_components"}
    assert folders == {"heisenberg"}


def test_compose_runs_the_image_as_the_add_on_runs() -> None:
    """compose.yaml builds this repository's Dockerfile and gives it what the add-on gets: the
    launcher's default ports and a volume on /data (the image test runs that image)."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    (service,) = compose["services"].values()
    assert service["build"] == "."
    defaults, _ = parse_args([])
    published = {entry.split(":")[1] for entry in service["ports"]}
    assert published == {str(defaults.wyoming_port), str(defaults.llama_port)}
    volume, target = service["volumes"][0].split(":")[:2]
    assert target == "/data" and volume in compose["volumes"]
    assert service["init"] is True  # Python as PID 1 would not reap; docker's init does
    add_on = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert set(add_on["ports"]) == {f"{port}/tcp" for port in published}
