"""Every final payload llama-server sends the agent (answers and warm-ups), for benchmarks that
count what a request made the server evaluate before its answer (llama-server's own counter
also counts what the agent evaluates in the background: the warm-up, the next turn's opening).
"""

from collections.abc import Callable
from typing import Any

from custom_components.heisenberg import llama_client


def watch_completions() -> list[dict[str, Any]]:
    """The payloads from now on, by wrapping the client's hook for them. Benchmark-only
    instrumentation."""
    seen: list[dict[str, Any]] = []
    original: Callable[..., None] = llama_client.record_final_payload

    def recording(stats: Any, payload: dict[str, Any]) -> None:
        seen.append(payload)
        original(stats, payload)

    llama_client.record_final_payload = recording
    return seen


def answers(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers' timings among `payloads` (a warm-up generates nothing)."""
    return [t for p in payloads if (t := p.get("timings") or {}).get("predicted_n")]
