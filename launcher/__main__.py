"""`python -m launcher`: run Heisenberg's local back end until Ctrl-C or SIGTERM.

Today that is llama-server with the embedded default model (or your own binary, model or an
already running server), health-checked before "ready" is printed.
"""

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .llama_server import (
    LaunchError,
    LlamaServerProcess,
    cache_dir,
    default_model_path,
    find_llama_server,
    server_is_healthy,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="heisenberg", description="Run Heisenberg's local voice back end."
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    parser.add_argument("--llama-port", type=int, default=8080, help="llama-server port (8080)")
    parser.add_argument(
        "--llama-url",
        help="use an already running llama-server at this URL instead of starting one",
    )
    parser.add_argument("--llama-server-binary", help="your own llama-server binary")
    parser.add_argument("--model", help="your own GGUF model (default: Gemma 3 270M, embedded)")
    parser.add_argument("--ctx-size", type=int, default=8192, help="llama-server context size")
    parser.add_argument("--threads", type=int, help="llama-server CPU threads (default: all)")
    return parser.parse_args(argv)


def say(message: str) -> None:
    """Progress for the person running the command."""
    print(f"[heisenberg] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Start everything, print where it runs, wait for a stop signal, stop everything."""
    args = parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        say(f"{signal.Signals(signum).name} received, stopping")
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    llama: LlamaServerProcess | None = None
    try:
        if args.llama_url:
            if not server_is_healthy(args.llama_url, timeout=5):
                raise LaunchError(f"No healthy llama-server answers at {args.llama_url}")
            llama_url = args.llama_url
        else:
            binary = find_llama_server(args.llama_server_binary)
            say("preparing the model" if not args.model else f"model: {args.model}")
            model = Path(args.model) if args.model else default_model_path()
            log_path = cache_dir() / "llama-server.log"
            llama = LlamaServerProcess(
                model=model,
                binary=binary,
                host=args.host,
                port=args.llama_port,
                context_size=args.ctx_size,
                threads=args.threads,
                log_path=log_path,
            )
            say(f"starting llama-server ({binary}) with {model.name}; log: {log_path}")
            llama.start()
            llama_url = llama.url
        say("ready")
        say(f"  Heisenberg integration → llama-server URL: {llama_url}")
        while not stop.wait(1.0):
            if llama is not None and not llama.is_running():
                raise LaunchError("llama-server stopped unexpectedly (see its log)")
        return 0
    except LaunchError as err:
        say(f"error: {err}")
        return 1
    finally:
        if llama is not None:
            llama.stop()
            say("llama-server stopped")


if __name__ == "__main__":
    sys.exit(main())
