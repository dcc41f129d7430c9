"""The shared runner: command line, logging, model loading, the TCP/Unix server and zeroconf.

Every entry point (`python -m wyoming_servers.stt|tts|wake`, and the all-in-one
`python -m wyoming_servers`) is this runner with a different list of services. Models load
before the port opens, so a client that can connect can be answered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from wyoming.info import Info

from .. import __version__
from .announce import Announcement, announce
from .connection import Connection, HandlerMaker, ServiceHandler, serve_connection
from .protocol import MAX_HEADER_BYTES

_LOGGER = logging.getLogger("wyoming_servers")

DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024


class Service(Protocol):
    """A loaded service: adds its program to `info` and makes per-connection handlers."""

    def add_to_info(self, info: Info) -> None: ...

    def make_handler(self, conn: Connection) -> ServiceHandler: ...

    def shutdown(self) -> None: ...


class ArgumentSink(Protocol):
    """Where a service declares its flags: a parser, or one of its argument groups."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action: ...


class ServiceModule(Protocol):
    """What each service's `service` module exports for the runner."""

    NAME: str

    def add_arguments(self, parser: ArgumentSink, prefix: str) -> None: ...

    def load(self, args: argparse.Namespace) -> Service: ...


def default_cache_dir() -> Path:
    """Where derived files (the assembled Whisper base model) are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "heisenberg"


class _HelpFormatter(argparse.HelpFormatter):
    """Shows a flag's default when it has a meaningful one (not None, [], False)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if default in (None, [], False, True, argparse.SUPPRESS) or "%(default)" in text:
            return text
        return f"{text} (default: %(default)s)"


def build_parser(
    prog: str, description: str, modules: Sequence[ServiceModule], zeroconf_name: str
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--uri",
        default="tcp://0.0.0.0:10300",
        help="where to listen: tcp://HOST:PORT or unix:///path/to/socket",
    )
    parser.add_argument(
        "--zeroconf",
        nargs="?",
        const=zeroconf_name,
        metavar="NAME",
        help="announce the server over mDNS so Home Assistant discovers it "
        f"(NAME defaults to '{zeroconf_name}'); TCP only",
    )
    parser.add_argument(
        "--zeroconf-host",
        help="address to announce over zeroconf (default: the address of the interface that "
        "routes to the mDNS group, never 0.0.0.0)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=default_cache_dir(),
        help="directory for files derived from installed models (made once, reused)",
    )
    parser.add_argument(
        "--max-event-bytes",
        type=int,
        default=DEFAULT_MAX_EVENT_BYTES,
        help="largest event (data + payload) a client may send; larger ones get an error "
        "and the connection is closed",
    )
    parser.add_argument("--debug", action="store_true", help="log DEBUG messages")
    parser.add_argument(
        "--log-format",
        default="%(asctime)s %(levelname)s %(name)s: %(message)s",
        help="format of log messages",
    )
    parser.add_argument("--version", action="version", version=__version__)
    single = len(modules) == 1
    for module in modules:
        group = parser.add_argument_group(f"{module.NAME} options")
        module.add_arguments(group, "" if single else f"{module.NAME}-")
    return parser


def main(
    modules: Sequence[ServiceModule],
    prog: str,
    description: str,
    zeroconf_name: str,
    argv: Sequence[str] | None = None,
) -> None:
    parser = build_parser(prog, description, modules, zeroconf_name)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO, format=args.log_format)
    # faster-whisper logs every request at INFO; piper and asyncio chatter at DEBUG.
    for noisy in ("faster_whisper", "piper", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        services = [module.load(args) for module in modules]
    except (FileNotFoundError, ValueError) as err:
        parser.exit(2, f"{prog}: error: {err}\n")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args, services))


async def serve(args: argparse.Namespace, services: Sequence[Service]) -> None:
    """Listen until SIGTERM/SIGINT."""

    def info() -> Info:
        result = Info()
        for service in services:
            service.add_to_info(result)
        return result

    makers: list[HandlerMaker] = [s.make_handler for s in services]
    callback = partial(
        serve_connection, info=info, makers=makers, max_event_bytes=args.max_event_bytes
    )
    uri = urlparse(args.uri)
    if uri.scheme == "tcp":
        if uri.hostname is None or uri.port is None:
            raise SystemExit("--uri needs a host and a port: tcp://HOST:PORT")
        server = await asyncio.start_server(
            callback, host=uri.hostname, port=uri.port, limit=MAX_HEADER_BYTES
        )
    elif uri.scheme == "unix":
        Path(uri.path).unlink(missing_ok=True)  # noqa: ASYNC240 - once, before serving
        server = await asyncio.start_unix_server(callback, path=uri.path, limit=MAX_HEADER_BYTES)
    else:
        raise SystemExit("--uri must be tcp://HOST:PORT or unix:///path")

    _LOGGER.info("Ready on %s", args.uri)
    zc: Announcement | None = None
    if args.zeroconf:
        if uri.scheme != "tcp":
            _LOGGER.warning("--zeroconf needs a tcp:// URI; not announcing")
        else:
            zc = await announce(
                args.zeroconf, uri.hostname or "", uri.port or 0, args.zeroconf_host
            )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    # Home Assistant keeps wake word connections open forever: close them, or waiting for the
    # server to close would wait forever too.
    server.close()
    server.close_clients()
    try:
        await asyncio.wait_for(server.wait_closed(), 5)
    except TimeoutError:
        server.abort_clients()
    if zc is not None:
        await zc.stop()
    for service in services:
        service.shutdown()
    _LOGGER.info("Stopped")


def run_module(module: ServiceModule, description: str) -> None:
    main(
        [module],
        f"python -m wyoming_servers.{module.NAME}",
        description,
        f"heisenberg-{module.NAME}",
        sys.argv[1:],
    )
