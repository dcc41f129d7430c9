"""A child that dies says how, in words a user can act on."""

import signal
import sys
from pathlib import Path

import pytest

from launcher.process import ChildProcess, LaunchError, describe_exit


def test_a_child_killed_by_an_illegal_instruction_is_named_with_what_to_do(tmp_path: Path) -> None:
    child = ChildProcess("llama-server", tmp_path / "child.log")
    # What a binary built for another CPU does at its first computation.
    suicide = "import os, signal; print('loading', flush=True); os.kill(os.getpid(), signal.SIGILL)"
    with pytest.raises(LaunchError) as raised:
        child.launch([sys.executable, "-c", suicide], lambda: False, wait_seconds=30)
    message = str(raised.value)
    assert message.startswith("llama-server ended (killed by SIGILL: an instruction this CPU")
    assert "~/.cache/heisenberg/wheels" in message
    assert ": loading (see " in message  # its last log line, and where the log is
    assert not child.is_running()


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (0, "exit code 0"),
        (1, "exit code 1"),
        (-signal.SIGTERM, "killed by SIGTERM"),
        (-signal.SIGKILL, "killed by SIGKILL: killed from outside, often by the kernel when memory runs out"),
        (-200, "killed by signal 200"),
    ],
)  # fmt: skip
def test_exit_codes_in_words(code: int, words: str) -> None:
    assert describe_exit(code) == words
