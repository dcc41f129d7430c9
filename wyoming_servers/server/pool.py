"""A bounded, fair inference pool: models run here, never on the event loop.

Jobs run first-come first-served on a small thread pool (one or two workers: on a 2-core
machine more threads only make every request slower). Long requests (a TTS answer of several
sentences) submit one job per piece of audio, so they interleave fairly with other clients
instead of holding a worker for the whole answer.

A request is refused at once with `PoolBusy` (the handler turns it into an `error` event with
code `busy`) when `max_jobs` jobs are already queued or running, or, with `max_wait`, when
the jobs ahead of it are estimated to need more than that many seconds: a clear "busy" beats a
request that silently waits for minutes.

Work nobody will read is not done: a job whose caller gives up (the client hung up) is taken
out of the queue if it has not started, and a running one is asked to stop through its
`stop` flag, which a long job checks between steps (Whisper between 30 s windows). Optional
jobs (speculative decodes) never count against the bounds, and are stopped the same way as
soon as required work is submitted: a guess must never delay or refuse a real request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_LOGGER = logging.getLogger(__name__)
type Work[T] = Callable[[threading.Event], T]  # called in a worker with the job's stop flag


class PoolBusy(Exception):
    """The pool already holds as much work as it accepts."""


class JobStopped(Exception):
    """The job ended early: its result was no longer wanted (see `Job.abandon`)."""


class Job[T]:
    """One call submitted to the pool: its result, its stop flag, and how long it ran."""

    def __init__(self, optional: bool, estimate: float) -> None:
        self.future: concurrent.futures.Future[T] | None = None  # set once submitted
        self.optional = optional
        self.estimate = estimate  # seconds it is expected to run (admission by wait)
        self.stop = threading.Event()  # set: nobody wants the result, end early if you can
        self.started: float | None = None  # time.monotonic(), set by the worker
        self.ended: float | None = None
        self.finished = asyncio.get_running_loop().create_future()  # settled on the event loop

    @property
    def run_seconds(self) -> float | None:
        """How long the worker spent on it, once it has finished."""
        if self.started is None or self.ended is None:
            return None
        return self.ended - self.started

    def remaining(self, now: float) -> float:
        """Estimated seconds before the worker is free of it."""
        if self.started is None:
            return self.estimate
        return max(0.0, self.estimate - (now - self.started))

    def keep(self) -> None:
        """An optional job's result is wanted after all: it is required from now on (a
        speculative transcript that became the answer)."""
        self.optional = False
        if not self.finished.done():
            self.stop.clear()

    def abandon(self) -> None:
        """Nobody will read the result: out of the queue, or stopped at its next step."""
        if self.future is None or not self.future.cancel():  # already running (or done)
            self.stop.set()

    async def result(self) -> T:
        """The job's result (or exception; `JobStopped` if it was abandoned). Being cancelled
        while waiting abandons the job and returns at once; the pool's count still drops only
        when the worker is really free."""
        try:
            return await asyncio.shield(self.finished)
        except asyncio.CancelledError:
            self.abandon()
            raise


class InferencePool:
    """Runs blocking model calls in worker threads, with bounds on the queued work."""

    def __init__(
        self, name: str, workers: int = 1, max_jobs: int = 8, max_wait: float | None = None
    ) -> None:
        self.name = name
        self.max_jobs = max_jobs  # required jobs queued or running
        self.max_wait = max_wait  # seconds of estimated work ahead of a new required job
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._workers = workers
        self._jobs: set[Job[Any]] = set()  # queued or running, until the worker is free

    @property
    def idle(self) -> bool:
        """No job queued or running (of either kind)."""
        return not self._jobs

    def required_jobs(self) -> int:
        return sum(1 for job in self._jobs if not job.optional)

    def wait_seconds(self) -> float:
        """Estimated seconds before a new required job would start: the required jobs ahead
        of it, shared among the workers. Optional jobs are left out (they give way)."""
        now = time.monotonic()
        ahead = sum(job.remaining(now) for job in self._jobs if not job.optional)
        return ahead / self._workers

    def submit[T](self, work: Work[T], *, optional: bool = False, estimate: float = 0.0) -> Job[T]:
        """Queue `work(stop_flag)`; raise `PoolBusy` if a bound is reached (never for an
        optional job, which only its caller decides to start)."""
        if not optional:
            self._admit()
            for other in self._jobs:
                if other.optional:
                    other.abandon()  # a guess gives way to real work
        loop = asyncio.get_running_loop()
        job: Job[T] = Job(optional, estimate)
        job.future = future = self._executor.submit(_call, job, work)
        self._jobs.add(job)

        def settle_on_loop(future: concurrent.futures.Future[T]) -> None:
            # In the worker thread (or here, if the job is taken out of the queue).
            with contextlib.suppress(RuntimeError):  # the loop is already closed: shutting down
                loop.call_soon_threadsafe(self._settle, job, future)

        future.add_done_callback(settle_on_loop)
        return job

    async def run[T](self, func: Callable[..., T], *args: object) -> T:
        """Run `func(*args)` in a worker; raise `PoolBusy` if a bound is reached. Cancelled,
        it waits for a job that already runs to end (its caller may then free what it uses)."""
        job = self.submit(lambda _stop: func(*args))
        try:
            return await job.result()
        except asyncio.CancelledError:
            await asyncio.wait([job.finished])
            raise

    def _admit(self) -> None:
        jobs = self.required_jobs()
        if jobs >= self.max_jobs:
            raise PoolBusy(f"{self.name} is busy ({jobs} requests in progress), try again")
        if self.max_wait is not None and (wait := self.wait_seconds()) > self.max_wait:
            raise PoolBusy(
                f"{self.name} is busy: about {wait:.0f} s of work is ahead of this request "
                f"(limit {self.max_wait:g} s), try again"
            )

    def _settle[T](self, job: Job[T], future: concurrent.futures.Future[T]) -> None:
        """On the event loop once the worker is done with the job (or it was taken out of
        the queue): the count drops, and the job's result is settled."""
        self._jobs.discard(job)
        if job.finished.done():
            return
        if future.cancelled():
            job.finished.set_exception(JobStopped())
        elif (error := future.exception()) is not None:
            job.finished.set_exception(error)
        else:
            job.finished.set_result(future.result())
        # Nobody may be waiting (an abandoned guess): its outcome is not worth a warning.
        job.finished.exception()

    def shutdown(self, wait: bool = False) -> None:
        """Stop taking jobs; `wait` for the running one when the caller frees what it uses."""
        for job in self._jobs:
            job.stop.set()
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _call[T](job: Job[T], work: Work[T]) -> T:
    """In the worker thread."""
    job.started = time.monotonic()
    try:
        if job.stop.is_set():  # abandoned after it was too late to take it out of the queue
            raise JobStopped
        return work(job.stop)
    finally:
        job.ended = time.monotonic()
