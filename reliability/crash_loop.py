"""`make crash-loop`: `fakeecs serve --state FILE` SIGKILLed every few seconds under load.

Eight boto3 clients (the soak's: RunTask with and without a clientToken, DescribeTasks,
StopTask, ListTasks, service updates, clock advances, fault rules) run against one server
while this process kills it with SIGKILL at a random moment every few seconds and starts
it again on the same port from its state file. Before every restart the state file is
read as fakeecs reads it: a half-written or corrupt file would be refused there (and
fakeecs would refuse to start). At the end the soak's promises are checked against
everything the clients were told: every acknowledged RunTask exists exactly once, no
clientToken started a second set of tasks, no client saw a task move backwards, service
counts match their tasks. Writes build/reliability/crash-loop.json; exits 1 on any
broken promise.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.servers import ServerProcess, start_fakeecs
from fakeecs.persistence import StateFileError, read_state
from reliability import record
from soak.run import Shared, check, client_loop, set_up

#: Uptime between kills, wall seconds (the kill lands at a random moment inside it).
UPTIME = (2.0, 6.0)


def _restart(seed: int, state: Path, port: int) -> ServerProcess:
    return start_fakeecs(seed, "--state", str(state), "--port", str(port))


def kill_loop(
    server: ServerProcess,
    seed: int,
    state: Path,
    shared: Shared,
    stop: threading.Event,
    kills: list[float],
) -> ServerProcess:
    """Kill and restart until `stop`; returns the server that is up at the end."""
    rng = random.Random(f"crash-loop/{seed}")
    port = int(server.url.rsplit(":", 1)[1])
    while not stop.wait(rng.uniform(*UPTIME)):
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=30)
        kills.append(time.monotonic())
        try:
            read_state(state)
        except StateFileError as exc:
            with shared.lock:
                shared.broken.append(f"after kill {len(kills)}: {exc}")
            raise
        try:
            server = _restart(seed, state, port)
        except SystemExit as exc:
            with shared.lock:
                shared.broken.append(f"restart after kill {len(kills)} failed: {exc}")
            raise
    return server


def run(seconds: float, clients: int, seed: int, folder: Path) -> dict[str, object]:
    state = folder / "state.json"
    server = start_fakeecs(seed, "--state", str(state))
    url = server.url
    shared, stop, kills = Shared(), threading.Event(), []
    # fakeecs keeps no EC2 state across a restart; the default VPC is made again with the
    # same ids (its seed, EC2's first use), so the clients' network stays valid
    network = set_up(url)
    threads = [
        threading.Thread(target=client_loop, args=(url, shared, seed * 1000 + i, stop, network))
        for i in range(clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    killer_result: list[ServerProcess] = []

    def killer() -> None:
        try:
            killer_result.append(kill_loop(server, seed, state, shared, stop, kills))
        except (StateFileError, SystemExit):
            stop.set()

    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    stop.wait(seconds)
    stop.set()
    kill_thread.join(timeout=120)
    for t in threads:
        t.join(timeout=120)
    final = killer_result[0] if killer_result else None
    try:
        if final is not None:
            # One last kill and restart: what the clients were told must be on disk.
            final.proc.send_signal(signal.SIGKILL)
            final.proc.wait(timeout=30)
            kills.append(time.monotonic())
            final = _restart(seed, state, int(url.rsplit(":", 1)[1]))
            check(url, shared)
    finally:
        if final is not None:
            final.stop()
    return {
        "seconds": round(time.monotonic() - started, 1),
        "clients": clients,
        "kills_survived": len(kills) if final is not None else max(len(kills) - 1, 0),
        "requests": sum(shared.requests.values()),
        "requests_by_kind": dict(shared.requests),
        "errors_by_kind": dict(shared.errors),
        "run_task_tasks_acknowledged": len(shared.acked),
        "client_tokens_checked": len(shared.tokens),
        "state_file_bytes": state.stat().st_size if state.exists() else 0,
        "lost": sum(1 for b in shared.broken if "MISSING" in b),
        "broken_promises": shared.broken[:20],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fakeecs-crash-loop-") as folder:
        figures = run(args.seconds, args.clients, args.seed, Path(folder))
    path = record.write("crash-loop", figures)
    print(path.read_text())
    return 1 if figures["broken_promises"] else 0


if __name__ == "__main__":
    sys.exit(main())
