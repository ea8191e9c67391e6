"""The third-party clients the suite runs, pinned, and how they are installed into build/.

One table of pins is the only place a version is written: the installer, the checks and the
generated page all read it. Python clients get a venv each (their botocore pins must not meet
ours); the JavaScript SDK gets an npm prefix. Re-running installs only what changed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD = REPO_ROOT / "build" / "conformance"
NODE_MAJOR_MIN = 20  # @aws-sdk/client-ecs declares engines.node >= 20


@dataclass(frozen=True)
class Client:
    """A pinned third-party client: its display name, package, version and ecosystem."""

    key: str
    title: str
    package: str
    version: str
    ecosystem: str  # "pip" or "npm"

    @property
    def home(self) -> Path:
        return BUILD / self.key

    @property
    def pin(self) -> str:
        return (
            f"{self.package}=={self.version}"
            if self.ecosystem == "pip"
            else (f"{self.package}@{self.version}")
        )


AWS_CLI = Client("awscli", "AWS CLI", "awscli", "1.46.3", "pip")
ECS_DEPLOY = Client("ecs-deploy", "ecs-deploy", "ecs-deploy", "1.17.0", "pip")
JS_SDK = Client("js-sdk", "AWS SDK for JavaScript v3", "@aws-sdk/client-ecs", "3.1178.0", "npm")
CLIENTS = (AWS_CLI, ECS_DEPLOY, JS_SDK)
#: Not installed by the suite: the provider is the project's own (Pipfile.lock) dependency.
PROVIDER_EXAMPLES = Client(
    "provider-examples",
    "Amazon provider example DAGs",
    "apache-airflow-providers-amazon",
    "locked",
    "pip",
)


def executable(client: Client, name: str) -> Path:
    """A console script of a pip-installed client (`aws`, `ecs`)."""
    return client.home / "bin" / name


def node_modules(client: Client = JS_SDK) -> Path:
    return client.home / "node_modules"


def _stamp(client: Client) -> Path:
    return client.home / ".pinned"


def installed(client: Client) -> bool:
    stamp = _stamp(client)
    return stamp.exists() and stamp.read_text().strip() == client.pin


def _run(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"installing {what} failed ({' '.join(argv)}):\n{result.stdout}{result.stderr}")


def _install_pip(client: Client) -> None:
    shutil.rmtree(client.home, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(client.home)], f"a venv for {client.title}")
    pip = client.home / "bin" / "pip"
    _run(
        [str(pip), "install", "--quiet", "--disable-pip-version-check", client.pin],
        client.pin,
    )


def node_version() -> tuple[int, str]:
    """Node's major version and its own words; (0, why) when there is none."""
    node = shutil.which("node")
    if node is None:
        return (
            0,
            "node is not installed (on Debian: apt-get install nodejs npm, or .ci/system-deps)",
        )
    text = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    return int(text.lstrip("v").split(".")[0]), text


def _install_npm(client: Client) -> None:
    major, text = node_version()
    if major < NODE_MAJOR_MIN:
        sys.exit(f"{client.pin} needs Node.js >= {NODE_MAJOR_MIN}; found {text or 'none'}")
    if shutil.which("npm") is None:
        sys.exit("npm is not installed (on Debian: apt-get install npm)")
    shutil.rmtree(client.home, ignore_errors=True)
    client.home.mkdir(parents=True)
    manifest = {"private": True, "dependencies": {client.package: client.version}}
    (client.home / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _run(
        ["npm", "install", "--prefix", str(client.home), "--no-audit", "--no-fund", "--silent"],
        client.pin,
    )


def install(clients: tuple[Client, ...] = CLIENTS) -> None:
    """Install every client whose pinned version is not there yet."""
    for client in clients:
        if installed(client):
            continue
        print(f"installing {client.pin} into {client.home.relative_to(REPO_ROOT)}", flush=True)
        if client.ecosystem == "pip":
            _install_pip(client)
        else:
            _install_npm(client)
        _stamp(client).write_text(client.pin + "\n")


if __name__ == "__main__":
    install()
