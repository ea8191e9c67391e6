"""Base images built on this machine: a Debian tree (debootstrap), then stand-ins for the
official python, postgres and redis images (`deploy/local-images/`). Each is built once;
later runs find it by its tag."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.docker.engine import docker

LOCAL_IMAGES = Path(__file__).resolve().parents[2] / "deploy" / "local-images"
DEBIAN = "local/debian:bookworm"
PYTHON = "local/python:3.11-slim"
POSTGRES = "local/postgres:15"
REDIS = "local/redis:7"
APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
HOST_CAS = Path("/usr/local/share/ca-certificates")
BUILDS = {PYTHON: "python.Dockerfile", POSTGRES: "postgres.Dockerfile", REDIS: "redis.Dockerfile"}


def exists(tag: str) -> bool:
    return docker("image", "inspect", tag, check=False, timeout=60).returncode == 0


def debian_mirror(sources: tuple[Path, ...] = APT_SOURCES) -> str:
    """The Debian mirror this machine's apt uses (the only one it can reach), read from its
    sources in either format: deb822 `URIs:` or one-line `deb <uri> <suite> ...`."""
    for source in sources:
        if not source.exists():
            continue
        for line in source.read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "URIs:" and not words[1].endswith("-security"):
                return words[1]
            if len(words) >= 3 and words[0] == "deb" and not words[1].endswith("-security"):
                return words[1]
    raise RuntimeError(
        f"no Debian mirror found in {', '.join(map(str, sources))}: debootstrap needs the mirror "
        "apt uses; add it to the apt sources or build local/debian:bookworm yourself"
    )


def debian() -> None:
    """`local/debian:bookworm` from a minimal debootstrap tree (about a minute)."""
    if exists(DEBIAN):
        return
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is missing: apt-get install debootstrap")
    with tempfile.TemporaryDirectory(prefix="debian-rootfs-") as root:
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", root, debian_mirror()],
            check=True,
            capture_output=True,
            timeout=1800,
        )
        # The temporary folder is 0700 and tar records "." with it: an image whose / only root
        # can enter, where user airflow cannot even reach /bin/sh.
        os.chmod(root, 0o755)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "-", DEBIAN], stdin=tar.stdout, check=True,
                       capture_output=True, timeout=1800)  # fmt: skip
        tar.wait()


#: Parts of the interpreter tree an image does not need (tests, GUI, what the machine installed).
_NOT_IN_IMAGE = shutil.ignore_patterns(
    "site-packages", "test", "idlelib", "tkinter", "turtledemo", "__pycache__"
)


def _python_tree(into: Path) -> None:
    """This interpreter's installation (interpreter, libpython, stdlib, headers, pip), not the
    packages the machine installed into it. Scripts with this machine's paths are left out."""
    prefix = Path(sys.base_prefix)
    stdlib = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (into / "bin").mkdir(parents=True)
    for entry in (prefix / "bin").iterdir():
        if entry.name.startswith("python") and not entry.name.endswith((".py", "-config")):
            shutil.copy2(entry, into / "bin" / entry.name, follow_symlinks=False)
    shutil.copytree(prefix / "include", into / "include")
    (into / "lib").mkdir()
    for entry in (prefix / "lib").glob("libpython*"):
        shutil.copy2(entry, into / "lib" / entry.name, follow_symlinks=False)
    shutil.copytree(
        prefix / "lib" / stdlib, into / "lib" / stdlib, symlinks=True, ignore=_NOT_IN_IMAGE
    )
    site = into / "lib" / stdlib / "site-packages"
    site.mkdir()
    for entry in (prefix / "lib" / stdlib / "site-packages").iterdir():
        if entry.name == "pip" or entry.name.startswith("pip-"):
            shutil.copytree(entry, site / entry.name, ignore=_NOT_IN_IMAGE)


def _context(into: Path) -> Path:
    """deploy/local-images/, python/ (this machine's CPython) and host-ca/ (its own CAs)."""
    shutil.copytree(LOCAL_IMAGES, into, dirs_exist_ok=True)
    _python_tree(into / "python")
    (into / "host-ca").mkdir(exist_ok=True)
    for cert in HOST_CAS.glob("*.crt") if HOST_CAS.is_dir() else []:
        shutil.copy(cert, into / "host-ca" / cert.name)
    return into


def ensure_all(only: tuple[str, ...] = tuple(BUILDS)) -> dict[str, str]:
    """The base images (`only` some of them); returns the variables that point the build and
    Compose at them."""
    debian()
    missing = {tag: BUILDS[tag] for tag in only if not exists(tag)}
    if missing:  # the context copies this machine's whole CPython: only when a build needs it
        with tempfile.TemporaryDirectory(prefix="local-images-") as tmp:
            context = _context(Path(tmp))
            for tag, dockerfile in missing.items():
                docker("build", "--network", "host", "-t", tag, "-f", str(context / dockerfile),
                       str(context))  # fmt: skip
    return {"BASE_IMAGE": PYTHON, "POSTGRES_IMAGE": POSTGRES, "REDIS_IMAGE": REDIS}


BUSYBOX = "local/busybox:latest"
#: The applets the docker backend's tests use (busybox-static provides them all).
_APPLETS = ("sh", "echo", "cat", "sleep", "wget", "env", "false", "true", "yes", "head", "trap")


def busybox() -> str:
    """`local/busybox:latest`: this machine's static busybox in an otherwise empty image (seconds)."""
    if exists(BUSYBOX):
        return BUSYBOX
    binary = Path("/bin/busybox")
    if not binary.exists():
        raise RuntimeError("/bin/busybox is missing: apt-get install busybox-static")
    with tempfile.TemporaryDirectory(prefix="busybox-rootfs-") as root:
        os.chmod(root, 0o755)
        (Path(root) / "bin").mkdir()
        (Path(root) / "tmp").mkdir(mode=0o1777)
        shutil.copy2(binary, Path(root) / "bin" / "busybox")
        for applet in _APPLETS:
            (Path(root) / "bin" / applet).symlink_to("busybox")
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "-", BUSYBOX], stdin=tar.stdout, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        tar.wait()
    return BUSYBOX
