"""A bounded, fair inference pool: models run here, never on the event loop.

Jobs run first-come first-served on a small thread pool (one or two workers: on a 2-core
machine more threads only make every request slower). Long requests (a TTS answer of several
sentences) submit one job per piece of audio, so they interleave fairly with other clients
instead of holding a worker for the whole answer. When the bound is reached a new job is refused at once
with `PoolBusy`, which the handler turns into an `error` event: a clear "busy" beats a request
that silently waits for minutes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


class PoolBusy(Exception):
    """The pool already holds its maximum number of jobs."""


class InferencePool:
    """Runs blocking model calls in worker threads, with a bound on queued + running jobs."""

    def __init__(self, name: str, workers: int = 1, max_jobs: int = 8) -> None:
        self.name = name
        self.max_jobs = max_jobs
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._jobs = 0

    @property
    def idle(self) -> bool:
        return self._jobs == 0

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """Run `func(*args)` in a worker; raise `PoolBusy` if the bound is reached."""
        if self._jobs >= self.max_jobs:
            raise PoolBusy(f"{self.name} is busy ({self._jobs} requests in progress), try again")
        self._jobs += 1
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, func, *args)
        try:
            # shield: if the client goes away the job still finishes in its thread; the
            # counter must only drop when the worker is really free again.
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            await asyncio.wait([future])
            raise
        finally:
            self._jobs -= 1

    def shutdown(self, wait: bool = False) -> None:
        """Stop taking jobs; `wait` for the running one when the caller frees what it uses."""
        self._executor.shutdown(wait=wait, cancel_futures=True)
