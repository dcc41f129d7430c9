"""llama-server's slots and prompt cache as the launcher configures them (benchmarks/llama_slots.py
measures them): two agents keep their cached prefixes, and memory stays bounded."""

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from custom_components.heisenberg.personas import Persona, persona_text
from custom_components.heisenberg.prompt_format import (
    PromptFormat,
    PromptParts,
    Turn,
    build_prefix,
    build_prompt,
)
from launcher.llama_server import (
    CACHE_REUSE_TOKENS,
    PROMPT_CACHE_MIB,
    LlamaServerProcess,
    find_llama_server,
)
from launcher.llm_models import resolve_model
from launcher.process import free_port


def _option(command: list[str], name: str) -> str | None:
    return command[command.index(name) + 1] if name in command else None


def test_the_command_bounds_the_prompt_cache_and_keeps_batches_small_and_off_a_core() -> None:
    command = LlamaServerProcess(model=Path("m.gguf"), binary=find_llama_server()).command()
    assert _option(command, "--cache-ram") == str(PROMPT_CACHE_MIB)
    # A long prompt in one slot must not stop the other slots' answers for seconds.
    assert _option(command, "--batch-size") == "64"
    # Two slots generating at once run as a batch: it must not take the voice servers' core.
    assert _option(command, "--threads-batch") == _option(command, "--threads")
    # Moved history is shifted into place, not evaluated again.
    assert _option(command, "--cache-reuse") == str(CACHE_REUSE_TOKENS)


def test_prompt_threads_are_set_apart_from_generation_threads() -> None:
    """One satellite at a time: prompts on every core, generation still leaving one free."""
    binary = find_llama_server()
    default = LlamaServerProcess(model=Path("m.gguf"), binary=binary).command()
    command = LlamaServerProcess(model=Path("m.gguf"), binary=binary, prompt_threads=2).command()
    assert _option(command, "--threads-batch") == "2"
    assert _option(command, "--threads") == _option(default, "--threads")
    both = LlamaServerProcess(model=Path("m.gguf"), binary=binary, threads=3).command()
    assert _option(both, "--threads") == _option(both, "--threads-batch") == "3"


def test_an_older_llama_server_without_the_prompt_cache_still_starts(tmp_path: Path) -> None:
    old = tmp_path / "llama-server"
    old.write_text("#!/bin/sh\necho '--ctx-size N  --parallel N  --swa-full'\n")
    old.chmod(0o755)
    command = LlamaServerProcess(model=Path("m.gguf"), binary=old).command()
    assert "--cache-ram" not in command
    assert "--cache-reuse" not in command


def test_slot_files_live_in_a_private_directory_made_at_start_and_removed_at_stop(
    tmp_path: Path,
) -> None:
    """The agent copies a warm prefix between slots through these files (warm_up/prefixes.py)."""
    server = LlamaServerProcess(
        model=resolve_model("gemma3-270m"),
        binary=find_llama_server(),
        port=free_port(),
        log_path=tmp_path / "llama-server.log",
    )
    slot_dir = Path(_option(server.command(), "--slot-save-path") or "")
    assert slot_dir.name.startswith("heisenberg-slots-")
    assert not slot_dir.exists()  # building the command line creates nothing
    with server:
        assert slot_dir.is_dir()
        assert slot_dir.stat().st_mode & 0o777 == 0o700
    assert not slot_dir.exists()


def _complete(url: str, prompt: str, n_predict: int) -> dict[str, Any]:
    body = {"prompt": prompt, "n_predict": n_predict, "temperature": 0.0, "cache_prompt": True}
    request = urllib.request.Request(
        f"{url}/completion", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=300) as resp:
        result: dict[str, Any] = json.load(resp)
    return result


def _tokens(url: str, text: str) -> int:
    body = {"content": text, "add_special": False, "parse_special": True}
    request = urllib.request.Request(
        f"{url}/tokenize", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return len(json.load(resp)["tokens"])


def test_a_burst_of_one_agent_does_not_cost_the_other_agent_its_prefix(
    llama_server: LlamaServerProcess,
) -> None:
    """Two agents with different personas, both warmed; two questions to the first at once take
    both slots, so the second agent's prefix leaves its slot: its next question still reuses
    it (llama-server's host-memory prompt cache) instead of evaluating it again."""
    url, fmt = llama_server.url, PromptFormat.CHATML
    prefixes, prompts = {}, {}
    for name, persona in (("a", Persona.PROFESSIONAL), ("b", Persona.FRIENDLY)):
        text = persona_text(persona, "en")
        system = text.instructions.replace("{{ ha_name }}", f"Slot test {name}")
        prefixes[name] = build_prefix(fmt, system, text.examples)
        prompts[name] = [
            build_prompt(fmt, PromptParts(system, question, text.examples))
            for question in ("Name a colour.", "Name a fruit.", "Name an animal.")
        ]
        _complete(url, prefixes[name], 0)  # the warm-up, as the integration sends it
    with ThreadPoolExecutor(2) as pool:
        burst = list(pool.map(lambda p: _complete(url, p, 16), prompts["a"][:2]))
    after = _complete(url, prompts["b"][0], 4)

    assert {r["id_slot"] for r in burst} == {0, 1}, "the burst took both slots"
    for result in burst:
        assert result["timings"]["cache_n"] >= _tokens(url, prefixes["a"])
    assert after["timings"]["cache_n"] >= _tokens(url, prefixes["b"])


def test_history_whose_start_moved_is_reused_not_evaluated_again(
    llama_server: LlamaServerProcess,
) -> None:
    """The history window's start jumps forward (history.window_start): the exchanges kept
    across the jump sit earlier in the new prompt. llama-server shifts them into place
    (--cache-reuse), so the turn evaluates little more than its question."""
    url, fmt = llama_server.url, PromptFormat.CHATML
    text = persona_text(Persona.PROFESSIONAL, "en")
    system = text.instructions.replace("{{ ha_name }}", "Reuse test")
    history = [
        Turn(f"What is the capital of country number {n}?", f"Its capital is city number {n}.")
        for n in range(1, 7)
    ]

    def prompt(turns: list[Turn], question: str) -> str:
        return build_prompt(fmt, PromptParts(system, question, text.examples, history=turns))

    # A turn of a full window: five exchanges, the sixth question.
    _complete(url, prompt(history[:5], history[5].user), 0)
    # The next turn after the jump: the 4th and 5th exchanges kept, the 6th completed.
    after_jump = _complete(url, prompt(history[3:], "And of country number seven?"), 0)

    moved = _tokens(url, prompt(history[3:5], "")) - _tokens(url, prompt([], ""))
    assert moved > 30  # the two kept exchanges
    after_prefix = _tokens(url, prompt(history[3:], "And of country number seven?")) - _tokens(
        url, build_prefix(fmt, system, text.examples)
    )
    # Without --cache-reuse all of it is evaluated; with it, all but the moved exchanges.
    assert after_jump["timings"]["prompt_n"] <= after_prefix - moved + 2, after_jump["timings"]
