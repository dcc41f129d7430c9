"""One prefix evaluated into a llama-server's cache, giving way to the questions asked meanwhile.

A prefix takes 20-40 s to evaluate on a 2-core machine (500-900 tokens at ~19 a second with
the default model). A question asked during it that needs this very prefix waits for it
(`failover._wait_for_warm_up`); any other question (its own language is warm already) must
not share the CPU with it: the evaluation is cancelled, the question answered, and the
evaluation started again. llama-server keeps what it had evaluated in the slot (measured:
cancelled after 8 s of a 806-token prefix, 192 tokens were reused on the retry) and stops
within one batch (64 tokens) of the request being dropped, so giving way costs little.
"""

import asyncio
import contextlib
import time

from ..llama_client import CompletionStats
from ..server_pool import LlamaServer

# For how long one prefix gives way to questions; after that it is evaluated whatever comes
# (a steady stream of questions must not keep a language cold for ever).
GIVE_WAY_SECONDS = 60.0
# How often a running evaluation looks for a question to give way to.
CHECK_SECONDS = 0.25
# Enough tokens for a warm-up's time to tell the server's prompt speed.
MIN_RATE_TOKENS = 64


async def async_evaluate(
    server: LlamaServer, prompt: str, timeout: float, slot: int | None
) -> CompletionStats:
    """Evaluate `prompt` into the server's cache (slot `slot` when given), letting questions
    that do not need it go first."""
    give_way_until = time.monotonic() + GIVE_WAY_SECONDS
    while True:
        await _until_quiet(server, give_way_until)
        server.warming_prompt, server.warm_step_done = prompt, asyncio.Event()
        step = asyncio.create_task(server.client.warm_up(prompt, timeout, slot))
        try:
            while not step.done():
                await asyncio.wait({step}, timeout=CHECK_SECONDS)
                if not step.done() and _should_give_way(server, give_way_until):
                    step.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await step
                    break
            else:
                stats = step.result()
                if (stats.prompt_tokens or 0) >= MIN_RATE_TOKENS and stats.total_seconds:
                    server.prompt_rate = (stats.prompt_tokens or 0) / stats.total_seconds
                return stats
        finally:
            if not step.done():  # the warm-up itself was cancelled (HA stopping)
                step.cancel()
            server.warming_prompt = None
            server.warm_step_done.set()


def _should_give_way(server: LlamaServer, until: float) -> bool:
    """A question is being answered that does not wait for this prefix."""
    return time.monotonic() < until and server.in_flight > server.waiting_for_warm_up


async def _until_quiet(server: LlamaServer, until: float) -> None:
    remaining = until - time.monotonic()
    if remaining <= 0:
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(remaining):
            await server.quiet.wait()
