"""The public home-assistant-datasets benchmark (`assist-mini` by default) against our agent.

    .venv/bin/python -m benchmarks.public_assist DATASETS_REPO [--dataset assist-mini]
        [--count N] [--models qwen2.5-1.5b] [--modes alone,local-first] [--show wrong|all|none]
        [--exposure all|ha-default]

DATASETS_REPO: a checkout of allenporter/home-assistant-datasets, or the git directory of a
fetched snapshot (read with `git show`); nothing of it is copied into this project.

As their harness does (`tool/assist/collect` + `tool/assist/eval`, `entity_state/diff.py`):
every sentence of every record is one task, run `count` times (the dataset card's count unless
--count); each task starts from the record's `_fixtures.yaml` home with the task's `setup`
states, and the text goes to the agent (language en, no satellite device). A task passes when
no entity ends in a state other than the setup states with `expect_changes` applied (ignoring
`ignore_changes` and is_closed/is_opening/is_closing), when its answer does not contain "Sorry"
while a change was expected, and when it contains one of `expect_response` if given.
Where this harness differs, by necessity: the home is made of HA's own entities
(`harness/public_home.py`) instead of the synthetic_home integration, so the attributes
compared are the ones a task expects to change and, for unexpected changes, volume_level,
media_track, current_position and percentage (not the attributes each implementation sets
on its own, such as a template light's color_mode); a media player's track is read from its
helper; a fan with no speed set counts as 100 % when on and 0 % when off. Every fixture entity
is exposed to Assist (their published runs lock locks and open valves, which HA's default
exposure leaves out); `--exposure ha-default` leaves exposure to HA's defaults instead. Printed per model and mode: passed / total per category, and overall.
"""

import argparse
import asyncio
import enum
import logging
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_test_home_assistant

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from harness.assist_turn import async_say
from harness.home_builder import Home
from harness.public_home import async_apply, async_build_public_home, async_clear_todo
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import DEFAULT_MODEL, resolve_model
from launcher.process import cache_dir, free_port

from .device_control import MODEL_CALLS
from .ha_agent import async_add_agent

DERIVED = {"is_closed", "is_opening", "is_closing"}
TRACKED = ("volume_level", "media_track", "current_position", "percentage")


class Dataset:
    """Reads the dataset from a checkout or from a snapshot's git directory."""

    def __init__(self, root: Path, name: str) -> None:
        self.root, self.base = root, f"datasets/{name}"
        self.git = not (root / self.base).is_dir()

    def files(self) -> list[str]:
        if not self.git:
            return sorted(
                str(p.relative_to(self.root)) for p in (self.root / self.base).rglob("*.yaml")
            )
        out = subprocess.run(["git", "--git-dir", str(self.root), "ls-tree", "-r", "--name-only",
                              "HEAD", self.base], capture_output=True, text=True, check=True)  # fmt: skip
        return sorted(line for line in out.stdout.splitlines() if line.endswith(".yaml"))

    def load(self, path: str) -> Any:
        if not self.git:
            return yaml.safe_load((self.root / path).read_text())
        out = subprocess.run(["git", "--git-dir", str(self.root), "show", f"HEAD:{path}"],
                             capture_output=True, text=True, check=True)  # fmt: skip
        return yaml.safe_load(out.stdout)


@dataclass
class Task:
    record: str  # the record's folder
    category: str
    text: str
    action: dict[str, Any]


def read_tasks(dataset: Dataset, count: int) -> dict[str, tuple[dict[str, Any], list[Task]]]:
    """Per record folder: its fixture and its tasks (each sentence `count` times)."""
    records: dict[str, tuple[dict[str, Any], list[Task]]] = {}
    for path in dataset.files():
        folder, name = path.rsplit("/", 1)
        if name.startswith("_") or folder == dataset.base:
            continue
        record = dataset.load(path)
        fixture = records.get(folder, (dataset.load(f"{folder}/_fixtures.yaml"), []))
        for action in record.get("tests") or []:
            for sentence in action["sentences"]:
                fixture[1].extend(Task(folder.rsplit("/", 1)[1], str(record["category"]),
                                       sentence, action) for _ in range(count))  # fmt: skip
        records[folder] = fixture
    return records


def compare_state(value: Any, other: Any) -> bool:
    """As their harness compares two values."""
    if isinstance(value, (tuple, list)) or isinstance(other, (tuple, list)):
        return (
            isinstance(value, (tuple, list))
            and isinstance(other, (tuple, list))
            and list(value) == list(other)
        )
    if isinstance(value, enum.StrEnum) or isinstance(other, enum.StrEnum):
        return str(value) == str(other)
    return value == other or str(value) == str(other)


def read_states(hass: HomeAssistant, ids: list[str]) -> dict[str, dict[str, Any]]:
    states: dict[str, dict[str, Any]] = {}
    for entity_id in ids:
        state = hass.states.get(entity_id)
        assert state is not None, entity_id
        found = {"state": state.state, **{str(k): v for k, v in state.attributes.items()}}
        if entity_id.startswith("fan.") and found.get("percentage") is None:
            # HA's template fan has no speed until one is set; on/off is 100/0 % in HA's terms
            found["percentage"] = 100 if state.state == "on" else 0
        if entity_id.startswith("media_player."):
            track = hass.states.get(f"input_number.{entity_id.split('.', 1)[1]}_track")
            found["media_track"] = int(float(track.state)) if track else None
        states[entity_id] = found
    return states


def unexpected(action: dict[str, Any], setup: dict[str, dict[str, Any]],
               before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]],
               ) -> dict[str, Any]:  # fmt: skip
    """Their `get_unexpected_states`, over the attributes a task expects to change (from the
    fixture's and setup's value, `setup`) and the TRACKED ones."""
    """Their `get_unexpected_states`, over the attributes a task expects to change (from the
    fixture's and setup's value, `setup`) and the TRACKED ones."""
    changes = action.get("expect_changes") or {}
    ignore = action.get("ignore_changes") or {}
    diffs = {}
    for entity_id, old in before.items():
        change = changes.get(entity_id) or {}
        declared = change.get("attributes") or {}
        expected = {**old, **({"state": change["state"]} if "state" in change else {}), **declared}
        given = setup.get(entity_id) or {}
        keys = {"state", *TRACKED} | {
            k for k, v in declared.items() if not compare_state(v, given.get(k))
        }
        keys -= set(ignore.get(entity_id) or []) | DERIVED
        keys = {k for k in keys if k in expected or k in after[entity_id]}
        diff = {k: (expected.get(k), after[entity_id].get(k)) for k in sorted(keys)
                if not compare_state(expected.get(k), after[entity_id].get(k))}  # fmt: skip
        if diff:
            diffs[entity_id] = diff
    return diffs


@dataclass
class Result:
    task: Task
    passed: bool
    answer: str
    why: Any
    local: bool


async def run_task(hass: HomeAssistant, home: Home, fixture: dict[str, Any], task: Task,
                   agent_id: str, *, local_first: bool) -> Result:  # fmt: skip
    entities = {e["id"]: e for e in fixture.get("entities") or []}
    setup = task.action.get("setup") or {}
    given: dict[str, dict[str, Any]] = {}
    for device in home.devices:
        entity, override = entities[device.entity_id], setup.get(device.entity_id) or {}
        state = override.get("state", entity.get("state", device.initial))
        attributes = {**(entity.get("attributes") or {}), **(override.get("attributes") or {})}
        given[device.entity_id] = attributes
        await async_apply(hass, device, str(state if state is not False else "off"), attributes)
    for todo in (e for e in entities if e.startswith("todo.")):
        await async_clear_todo(hass, todo)
    ids = list(entities)
    before = read_states(hass, ids)
    turn = await async_say(hass, task.text, "en", agent_id, local_first=local_first)
    after = read_states(hass, ids)
    why: Any = unexpected(task.action, given, before, after)
    passed = not why
    if passed and task.action.get("expect_changes") and "Sorry" in turn.answer:
        passed, why = False, "said Sorry"
    if passed and (wanted := task.action.get("expect_response")):
        words = [wanted] if isinstance(wanted, str) else [str(w) for w in wanted]
        if not any(w.lower() in turn.answer.lower() for w in words):
            passed, why = False, f"answer lacks one of {words}"
    return Result(task, passed, turn.answer, why, turn.local)


async def run(model: str, records: dict[str, tuple[dict[str, Any], list[Task]]],
              modes: list[str], show: str, *, ha_default_exposure: bool,
              ) -> dict[str, list[Result]]:  # fmt: skip
    server = LlamaServerProcess(model=resolve_model(model), binary=find_llama_server(),
                                port=free_port(), log_path=cache_dir() / "bench-public-llama.log")  # fmt: skip
    await asyncio.to_thread(server.start)
    results: dict[str, list[Result]] = defaultdict(list)
    try:
        for fixture, tasks in records.values():
            async with async_test_home_assistant() as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                frame.async_setup(hass)  # a second harness hass finds it unset
                for component in ("homeassistant", "conversation", "intent"):
                    assert await async_setup_component(hass, component, {})
                home = await async_build_public_home(
                    hass, fixture, ha_default_exposure=ha_default_exposure
                )
                entry, agent_id = await async_add_agent(hass, server.url)
                for mode in modes:
                    for task in tasks:
                        result = await run_task(hass, home, fixture, task, agent_id,
                                                local_first=mode == "local-first")  # fmt: skip
                        results[mode].append(result)
                        if show == "all" or (show == "wrong" and not result.passed):
                            mark = "ok " if result.passed else "BAD"
                            print(f"  {mark} [{mode}/{'local' if result.local else 'agent'}] "
                                  f"{task.text!r} → {result.answer!r} {result.why} "
                                  f"{MODEL_CALLS.last!r}", file=sys.stderr)  # fmt: skip
                await hass.config_entries.async_remove(entry.entry_id)
                await hass.async_stop(force=True)
    finally:
        server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("datasets_repo", type=Path)
    parser.add_argument("--dataset", default="assist-mini")
    parser.add_argument("--count", type=int, default=None, help="runs per sentence")
    parser.add_argument("--models", default=DEFAULT_MODEL, help="names or GGUF paths")
    parser.add_argument("--modes", default="alone,local-first")
    parser.add_argument("--show", choices=("none", "wrong", "all"), default="wrong")
    parser.add_argument("--only", default="", help="categories, comma-separated")
    parser.add_argument("--exposure", choices=("all", "ha-default"), default="all")
    args = parser.parse_args()
    agent_logger = logging.getLogger("custom_components.heisenberg.conversation")
    agent_logger.setLevel(logging.DEBUG)
    agent_logger.addHandler(MODEL_CALLS)
    dataset = Dataset(args.datasets_repo, args.dataset)
    card = dataset.load(f"{dataset.base}/dataset_card.yaml") or {}
    count = args.count or int(card.get("count", 1))
    only = set(filter(None, args.only.split(",")))
    records = {folder: (fixture, [t for t in tasks if not only or t.category in only])
               for folder, (fixture, tasks) in read_tasks(dataset, count).items()}  # fmt: skip
    records = {k: v for k, v in records.items() if v[1]}
    print(f"\n{args.dataset}: {sum(len(t) for _, t in records.values())} tasks "
          f"({count} run(s) per sentence)")  # fmt: skip
    for model in args.models.split(","):
        results = asyncio.run(run(model, records, args.modes.split(","), args.show,
                                  ha_default_exposure=args.exposure == "ha-default"))  # fmt: skip
        for mode, mode_results in results.items():
            per: dict[str, list[bool]] = defaultdict(list)
            for r in mode_results:
                per[r.task.category].append(r.passed)
            passed = sum(r.passed for r in mode_results)
            local = sum(r.local for r in mode_results)
            print(f"\n{model} {mode}: {passed}/{len(mode_results)} "
                  f"({100 * passed / len(mode_results):.1f} %), {local} answered by HA's matcher")  # fmt: skip
            for category, values in sorted(per.items()):
                print(f"  {category:<14}{sum(values):>4}/{len(values):<4}"
                      f"{100 * sum(values) / len(values):>7.1f} %")  # fmt: skip


if __name__ == "__main__":
    main()
