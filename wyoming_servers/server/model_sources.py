"""Where models come from: the defaults installed from PyPI, and the user's own files.

Nothing here or in the services' own model finders (`stt/models.py`, `tts/voices.py`,
`wake/models.py`) downloads. A default model whose package is not installed is simply absent
(and absent from `info`); a path the user gave that does not exist is a start-up error.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


@dataclass(frozen=True)
class ModelSource:
    """A model on disk and where it came from (for `info`)."""

    name: str
    path: Path
    package: str | None = None  # the PyPI distribution that installed it
    version: str | None = None


def package_version(dist: str) -> str | None:
    """The installed version of a PyPI distribution, None when it is not installed."""
    try:
        return version(dist)
    except PackageNotFoundError:
        return None
