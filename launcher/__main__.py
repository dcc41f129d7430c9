"""`python -m launcher` (what `scripts/run.sh` runs): Heisenberg's whole local voice back end.

Starts llama-server with the embedded default model (Qwen2.5-Coder 1.5B Instruct) (or your binary / model / running server)
and the Wyoming wake word, speech-to-text and text-to-speech servers (one process on one port,
or one per service), checks that each answers, prints what to enter in Home Assistant, and
stops everything on Ctrl-C or SIGTERM.
"""

import argparse
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from types import FrameType

from .llama_server import LlamaServerProcess, find_llama_server, server_is_healthy
from .llm_models import DEFAULT_MODEL, MODELS, resolve_model
from .process import LaunchError, cache_dir, outgoing_address
from .supervisor import Supervisor
from .wyoming_server import SEPARATE_PORTS, WyomingServerProcess, summarize

EPILOG = """
Every other option goes to the all-in-one Wyoming server, in its own spelling, for example:
  scripts/run.sh --voice /voices/fr_FR-siwis-medium.onnx --stt-model base --threshold 0.6
(see `python -m wyoming_servers --help`). Options after `--` go there too. With --separate,
give each service its options with --stt-args, --tts-args, --wake-args (one quoted string each,
see `python -m wyoming_servers.stt --help`, ...).
"""


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and the others (unknown to us, or after `--`) for the Wyoming server."""
    argv = list(sys.argv[1:] if argv is None else argv)
    after_dashes: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, after_dashes = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(
        prog="scripts/run.sh",
        description="Run Heisenberg's local voice back end (LLM + wake word + STT + TTS).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # an abbreviation of ours must not swallow a server option
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    parser.add_argument(
        "--advertise-host",
        metavar="NAME",
        help="the host name or address printed for Home Assistant (default: this machine's "
        "address on the network; a container gives its own name)",
    )
    llm = parser.add_argument_group("language model")
    llm.add_argument("--llama-port", type=int, default=8080, help="llama-server port (8080)")
    llm.add_argument("--llama-url", help="use an already running llama-server at this URL")
    llm.add_argument("--llama-server-binary", help="your own llama-server binary")
    llm.add_argument(
        "--model",
        metavar="NAME_OR_GGUF",
        default=DEFAULT_MODEL,
        help=f"a model by name ({', '.join(MODELS)}; default {DEFAULT_MODEL}) or a GGUF file",
    )
    llm.add_argument("--ctx-size", type=int, default=8192, help="llama-server context (8192)")
    llm.add_argument(
        "--threads",
        type=int,
        help="llama-server CPU threads, for prompts and generation alike (default: one less "
        "than the CPU cores, at least 1, so the voice servers keep a core)",
    )
    llm.add_argument(
        "--prompt-threads",
        type=int,
        help="llama-server CPU threads for prompts only (default: as --threads). All the cores "
        "halve the wait before a short answer for one satellite at a time; with several "
        "satellites answering at once they stall each other",
    )
    voice = parser.add_argument_group("voice (Wyoming)")
    voice.add_argument(
        "--wyoming-port", type=int, default=10300, help="port of the all-in-one server (10300)"
    )
    voice.add_argument(
        "--separate",
        action="store_true",
        help="one process per service, on the official servers' ports "
        "(STT 10300, TTS 10200, wake word 10400)",
    )
    voice.add_argument("--no-wyoming", action="store_true", help="run only the language model")
    for service in SEPARATE_PORTS:
        voice.add_argument(
            f"--{service}-args",
            type=shlex.split,
            default=[],
            metavar="'OPTIONS'",
            help=f"with --separate: options of the {service} server",
        )
    args, unknown = parser.parse_known_args(argv)
    return args, unknown + after_dashes


def say(message: str) -> None:
    """Progress for the person running the command."""
    print(f"[heisenberg] {message}", flush=True)


def progress(name: str) -> Callable[[float], None]:
    """An on_wait callback that says every 10 s that `name` is still loading."""
    last = [0.0]

    def report(waited: float) -> None:
        if waited - last[0] >= 10:
            last[0] = waited
            say(f"  … {name} still loading ({waited:.0f} s)")

    return report


def reachable_host(bind_host: str, advertised: str | None = None) -> str:
    """The address Home Assistant (maybe on another machine) should use."""
    if advertised:
        return advertised
    if bind_host not in ("0.0.0.0", "::", ""):
        return bind_host
    return outgoing_address() or "<this machine's address>"


def build_wyoming(args: argparse.Namespace, extra: list[str]) -> list[WyomingServerProcess]:
    """The Wyoming processes to run."""
    if args.no_wyoming:
        return []
    logs = cache_dir()
    if not args.separate:
        return [
            WyomingServerProcess(
                host=args.host,
                port=args.wyoming_port,
                extra_args=extra,
                log_path=logs / "wyoming.log",
            )
        ]
    if extra:
        raise LaunchError(
            f"with --separate, give each service its options with --stt-args, --tts-args or "
            f"--wake-args (not: {' '.join(extra)})"
        )
    return [
        WyomingServerProcess(
            service=service,
            host=args.host,
            port=port,
            extra_args=getattr(args, f"{service}_args"),
            log_path=logs / f"wyoming-{service}.log",
        )
        for service, port in SEPARATE_PORTS.items()
    ]


def build_llama(args: argparse.Namespace) -> LlamaServerProcess | None:
    """The llama-server to run, or None when an existing one is used."""
    if args.llama_url:
        return None
    binary = find_llama_server(args.llama_server_binary)
    if args.model in MODELS:
        say(f"preparing the model {MODELS[args.model].title}")
    model = resolve_model(args.model)
    return LlamaServerProcess(
        model=model, binary=binary, host=args.host, port=args.llama_port,
        context_size=args.ctx_size, threads=args.threads, prompt_threads=args.prompt_threads,
        log_path=cache_dir() / "llama-server.log",
    )  # fmt: skip


def start_all(llama: LlamaServerProcess | None, voices: list[WyomingServerProcess]) -> None:
    """Start everything side by side; on any failure stop what started and re-raise."""
    jobs: list[tuple[str, Callable[[], object]]] = []
    if llama is not None:
        say(f"starting llama-server with {llama.model.name} on port {llama.port}")
        jobs.append(("llama-server", lambda: llama.start(on_wait=progress("llama-server"))))
    for voice in voices:
        say(f"starting the {voice.name} on port {voice.port} (loading its models)")
        jobs.append((voice.name, partial(voice.start, on_wait=progress(voice.name))))
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [pool.submit(job) for _, job in jobs]
        errors = [f.exception() for f in futures]
    if failed := [e for e in errors if e is not None]:
        stop_all(llama, voices)
        raise failed[0] if isinstance(failed[0], LaunchError) else LaunchError(str(failed[0]))


def stop_all(llama: LlamaServerProcess | None, voices: list[WyomingServerProcess]) -> None:
    """Stop every process we started."""
    for voice in voices:
        voice.stop()
    if llama is not None:
        llama.stop()


def advertised_llama_url(llama_url: str, host: str) -> str:
    """The llama-server URL as Home Assistant should use it (a local one under `host`)."""
    if llama_url.startswith("http://127.0.0.1") and host != "127.0.0.1":
        return llama_url.replace("127.0.0.1", host, 1)
    return llama_url


# Called once everything answered, with where Home Assistant finds it: the host name or
# address, the llama-server URL ("" when none), and the Wyoming ports. The container uses it to
# announce the services to the HA Supervisor (launcher/ha_discovery.py).
ReadyHook = Callable[[str, str, list[int]], None]


def print_ready(
    args: argparse.Namespace,
    llama_url: str,
    llama: LlamaServerProcess | None,
    voices: list[WyomingServerProcess],
) -> None:
    """What to enter in Home Assistant."""
    host = reachable_host(args.host, args.advertise_host)
    llama_url = advertised_llama_url(llama_url, host)
    say("ready")
    say("  In Home Assistant, Settings → Devices & services → Add integration:")
    say(f"  • Heisenberg — llama-server URL: {llama_url}")
    for voice in voices:
        say(f"  • Wyoming Protocol — host {host}, port {voice.port}: {summarize(voice.info or {})}")
    say("  Then Settings → Voice assistants: pick these for wake word, STT, conversation, TTS.")
    children = [*([llama] if llama else []), *voices]
    say("processes: " + ", ".join(f"{c.name} pid {c.pid}" for c in children))
    say("Ctrl-C stops everything.")


def main(argv: list[str] | None = None, on_ready: ReadyHook | None = None) -> int:
    """Start everything, print where it runs, wait for a stop signal, stop everything."""
    args, wyoming_args = parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        say(f"{signal.Signals(signum).name} received, stopping")
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    llama: LlamaServerProcess | None = None
    voices: list[WyomingServerProcess] = []
    try:
        if args.llama_url and not server_is_healthy(args.llama_url, timeout=5):
            raise LaunchError(f"No healthy llama-server answers at {args.llama_url}")
        llama = build_llama(args)
        voices = build_wyoming(args, wyoming_args)
        started = time.monotonic()
        start_all(llama, voices)
        if stop.is_set():
            return 0
        say(f"everything answered its health check in {time.monotonic() - started:.1f} s")
        llama_url = args.llama_url or (llama.url if llama else "")
        print_ready(args, llama_url, llama, voices)
        if on_ready is not None:
            host = reachable_host(args.host, args.advertise_host)
            on_ready(host, advertised_llama_url(llama_url, host), [v.port for v in voices])
        supervisor = Supervisor([*([llama] if llama else []), *voices], say)
        try:
            while not stop.wait(1.0):
                supervisor.check()
        finally:
            supervisor.close()
        return 0
    except LaunchError as err:
        say(f"error: {err}")
        return 1
    finally:
        stop_all(llama, voices)
        if llama is not None or voices:
            say("stopped")


if __name__ == "__main__":
    sys.exit(main())
