"""Build and run Heisenberg's container image on this machine with podman (tests/image/).

There is no Docker daemon and no registry here, so, as scripts would do by hand:
- the base image is bootstrapped from Debian's packages with mmdebstrap: the same Debian suite as
  the Dockerfile's default base (debian:forky-slim), already holding the packages the
  Dockerfile's apt step installs, so that step needs no network;
- the Python wheels are downloaded on the host for the image's platform (pip), and the build
  runs with `--network none`, its pip and uv pointed at them (`--build-arg WHEELS`);
- podman runs rootful with a throwaway configuration (runc, cgroupfs, explicit ulimits: what
  works on this machine, see `podman_env`).

Everything slow is cached in ~/.cache/heisenberg/image (like the llama.cpp wheel in
scripts/bootstrap.sh, so that a fresh clone reuses it): the base's tarball, the wheels, and
podman's storage with its build layers.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
SUITE = "forky"
MIRROR = "http://deb.debian.org/debian"
BASE_IMAGE = f"localhost/heisenberg-base:{SUITE}"
TEST_IMAGE = "localhost/heisenberg:test"
# The groups whose wheels the image test needs: the image's libraries, the voice models and the
# smallest language model (the test's first start installs these into /data).
MODEL_GROUPS = ("voice-models", "llm-gemma")


def cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "heisenberg" / "image"
    path.mkdir(parents=True, exist_ok=True)
    return path


def why_podman_cannot_run() -> str | None:
    """None when podman can build and run here; else the reason, for the test's skip."""
    for tool in ("podman", "mmdebstrap", "runc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: apt-get install podman runc mmdebstrap)"
    if os.geteuid() != 0:
        return "podman runs rootful here and this user is not root"
    result = podman("info", "--format", "{{.Host.OCIRuntime.Name}}", check=False)
    if result.returncode != 0:
        return f"podman does not work here: {result.stderr.strip()[-300:]}"
    return None


def podman_env() -> dict[str, str]:
    """podman's settings for this machine, in files of our own (the system's are left alone)."""
    root = cache_root()
    conf, storage = root / "containers.conf", root / "storage.conf"
    hard = subprocess.run(
        ["bash", "-c", "ulimit -Hn"], capture_output=True, text=True, check=True
    ).stdout.strip()
    # runc: Debian's default crun fails here ("cgroups in hybrid mode not supported"); without
    # explicit ulimits a container fails with "error setting rlimit type 7".
    conf.write_text(
        "[containers]\n"
        f'default_ulimits = ["nofile={hard}:{hard}", "nproc=32768:32768"]\n'
        "[engine]\n"
        'runtime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
    )
    storage.write_text(
        "[storage]\n"
        'driver = "overlay"\n'
        f'graphroot = "{root / "storage"}"\n'
        f'runroot = "/tmp/heisenberg-podman-{os.getuid()}"\n'
    )
    return {**os.environ, "CONTAINERS_CONF": str(conf), "CONTAINERS_STORAGE_CONF": str(storage)}


def podman(
    *args: str, check: bool = True, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["podman", *args],
        env=podman_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:3])} failed: {result.stderr[-2000:]}")
    return result


def apt_packages() -> list[str]:
    """The packages the Dockerfile's apt step installs (its `--no-install-recommends` list)."""
    text = DOCKERFILE.read_text()
    match = re.search(r"--no-install-recommends\s*\\\n(.*?)&&", text, re.S)
    if not match:
        raise RuntimeError("no apt-get install list found in the Dockerfile")
    return [word for word in match.group(1).split() if word != "\\"]


# Debian's architecture names and the Python wheels' machine names.
MACHINES = {"amd64": "x86_64", "arm64": "aarch64"}


def base_image(arch: str = "amd64") -> str:
    return BASE_IMAGE if arch == "amd64" else f"{BASE_IMAGE}-{arch}"


def ensure_base(arch: str = "amd64") -> str:
    """The base image (Debian SUITE, minbase + the Dockerfile's packages), bootstrapped once;
    another architecture than the machine's runs under qemu-user-static (binfmt)."""
    packages = apt_packages()
    suffix = "" if arch == "amd64" else f"-{arch}"
    stamp = cache_root() / f"base-{SUITE}{suffix}.packages"
    tarball = cache_root() / f"base-{SUITE}{suffix}.tar"
    image = base_image(arch)
    if not tarball.is_file() or not stamp.is_file() or stamp.read_text() != " ".join(packages):
        # Named .tar: mmdebstrap then builds in its own temporary folder and writes a tarball
        # (given a folder it would build there, with /proc, /sys and /dev/shm mounted in it).
        partial = tarball.with_name(f"{tarball.stem}.partial.tar")
        command = [
            "mmdebstrap", "--variant=minbase", "--components=main,non-free", "--quiet",
            f"--architectures={arch}", "--format=tar",
            # The package lists stay, so that the Dockerfile's apt step finds its packages
            # installed without a network.
            "--skip=cleanup/apt/lists",
            # The mirror's Release files may be older than their Valid-Until here.
            '--aptopt=Acquire::Check-Valid-Until "false"',
            f"--include={','.join(packages)}", SUITE, str(partial), MIRROR,
        ]  # fmt: skip
        bootstrap = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _out, errors = bootstrap.communicate(timeout=3600)
        except subprocess.TimeoutExpired:
            # SIGTERM, not the SIGKILL of subprocess.run's timeout: mmdebstrap then unmounts
            # what it mounted in its temporary folder and removes it.
            bootstrap.terminate()
            bootstrap.communicate()
            raise
        if bootstrap.returncode != 0:
            raise RuntimeError(f"mmdebstrap failed: {errors.decode(errors='replace')[-2000:]}")
        partial.replace(tarball)
        stamp.write_text(" ".join(packages))
        podman("rmi", "--force", image, check=False)
    if podman("image", "exists", image, check=False).returncode != 0:
        podman("import", "--arch", arch, "--change", "ENV LANG=C.UTF-8", str(tarball), image)
    return image


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".cache" / "tools" / "bin" / "uv")
    return found


def uv_version() -> str:
    """The uv the Dockerfile pins (its ARG UV_VERSION)."""
    match = re.search(r"^ARG UV_VERSION=(\S+)", DOCKERFILE.read_text(), re.M)
    if not match:
        raise RuntimeError("no ARG UV_VERSION in the Dockerfile")
    return match.group(1)


def _platform_flags(machine: str) -> list[str]:
    flags = ["--platform", f"manylinux2014_{machine}", "--platform", f"linux_{machine}"]
    for minor in range(17, 42):
        flags += ["--platform", f"manylinux_2_{minor}_{machine}"]
    return flags


def ensure_wheels(machine: str = "x86_64") -> Path:
    """The wheels of the image's libraries (for `machine`), uv, and the test's model groups."""
    folder = cache_root() / f"wheels-{machine}"
    folder.mkdir(exist_ok=True)
    requirements = folder / "requirements.txt"
    lines = []
    for group in ("voice", *MODEL_GROUPS):
        exported = subprocess.run(
            [_uv(), "export", "--quiet", "--frozen", "--no-default-groups", "--group", group,
             "--no-emit-project", "--no-hashes", "--project", str(ROOT)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        lines += [ln for ln in exported.splitlines() if ln and not ln.startswith(("#", " "))]
    lines.append(f"uv=={uv_version()}")
    wanted = "\n".join(sorted(set(lines))) + "\n"
    if requirements.is_file() and requirements.read_text() == wanted:
        return folder
    subprocess.run(
        # pip, not uv (which has no download command), run by uv: a venv made by uv has none.
        [_uv(), "tool", "run", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary=:all:", "--python-version", "3.14", "--implementation",
         "cp", "--abi", "cp314", "--abi", "abi3", "--abi", "none", *_platform_flags(machine),
         "--dest", str(folder), "-r", "/dev/stdin"],
        input=wanted, text=True, check=True, capture_output=True, timeout=1800,
    )  # fmt: skip
    requirements.write_text(wanted)
    return folder


def build(base: str, wheels: Path, tag: str = TEST_IMAGE, arch: str = "amd64") -> str:
    """Build the Dockerfile offline on `base`; returns the tag."""
    podman(
        "build", "--network", "none", "--pull=never", "--platform", f"linux/{arch}",
        "--build-arg", f"BUILD_FROM={base}", "--build-arg", "WHEELS=/wheels",
        "--volume", f"{wheels}:/wheels:ro",
        "--tag", tag, "--file", str(DOCKERFILE), str(ROOT),
        timeout=1800,
    )  # fmt: skip
    return tag


def run_container(
    image: str,
    name: str,
    data: Path,
    wheels: Path,
    *,
    args: list[str],
    env: dict[str, str],
    share: Path | None = None,
    hostname: str = "heisenberg-test",
) -> None:
    """Start the image detached on the host's network, /data from `data`; its first-start
    downloads come from `wheels` (pip's PIP_NO_INDEX/PIP_FIND_LINKS) instead of PyPI."""
    podman("rm", "--force", name, check=False)
    volumes = ["--volume", f"{data}:/data", "--volume", f"{wheels}:/wheels:ro"]
    if share is not None:
        volumes += ["--volume", f"{share}:/share:ro"]
    environment = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "/wheels", **env}
    podman(
        "run", "--detach", "--name", name, "--network", "host", "--hostname", hostname,
        *volumes, *[f"--env={k}={v}" for k, v in environment.items()], image, *args,
    )  # fmt: skip


def container_logs(name: str) -> str:
    result = podman("logs", name, check=False)
    return result.stdout + result.stderr


def container_state(name: str) -> tuple[bool, int]:
    """(running, exit code) of a container."""
    result = podman(
        "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", name, check=False
    )
    running, _, code = result.stdout.strip().partition(" ")
    return running == "true", int(code or 0)


def check_foreign_arch(arch: str = "arm64") -> None:
    """Build the image for another architecture under emulation and run its programs once:
    `python -m harness.container_image arm64` (minutes; not part of the test suite)."""
    base = ensure_base(arch)
    wheels = ensure_wheels(MACHINES[arch])
    tag = build(base, wheels, tag=f"localhost/heisenberg:test-{arch}", arch=arch)
    check = (
        "import platform, ctranslate2, onnxruntime, piper, pymicro_wakeword, pyopen_wakeword;"
        "print(platform.machine(), 'ctranslate2', ctranslate2.__version__,"
        " 'onnxruntime', onnxruntime.__version__)"
    )
    for command in (
        ["--entrypoint", "llama-server", tag, "--version"],
        ["--entrypoint", "/opt/heisenberg/venv/bin/python", tag, "-c", check],
    ):
        result = podman("run", "--rm", "--platform", f"linux/{arch}", *command, check=False)
        print(result.stdout.strip(), result.stderr.strip()[-400:], sep="\n")


if __name__ == "__main__":
    import sys

    check_foreign_arch(sys.argv[1] if len(sys.argv) > 1 else "arm64")
