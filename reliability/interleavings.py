"""What can happen to one task instance between its first try and its verdict, as plain data.

An `Interleaving` is the script of one property case: per operator attempt, where the
worker dies (after which ECS answer, by SIGKILL or by a redeploy that runs `on_kill`),
whether RunTask's answer is lost, how often ECS throttles, how long the worker stays
away; then the containers' exit codes, whether Airflow's task state store exists, how
late ECS lists a new task (eventual consistency) and whether an ECS service in the same
cluster is redeployed meanwhile. Generated from a seeded generator (case N of seed S is
always the same case) and shrunk towards the simplest case that still fails.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

#: ECS calls the operator makes; the worker can die right after any of them answers.
KILL_POINTS: tuple[str | None, ...] = (
    None,
    "ListTasks",
    "DescribeTasks",
    "DescribeTaskDefinition",
    "RunTask",
)
PAUSES = (0, 2, 30, 600)
EXIT_CODES = (0, 0, 1, 137)
DESCRIBE_DELAYS = (0, 0, 5, 30)


@dataclass(frozen=True)
class Attempt:
    """One try of the operator."""

    death: str | None = None  # the ECS operation after whose answer the worker dies
    redeploy: bool = False  # the death is a redeploy (SIGTERM: on_kill runs) not a SIGKILL
    lose_response: bool = False  # RunTask's answer never reaches the worker (once)
    throttle: int = 0  # the next N ECS calls are throttled (botocore retries them)
    pause: int = 0  # seconds (fake clock) before the next try


@dataclass(frozen=True)
class Interleaving:
    attempts: tuple[Attempt, ...] = (Attempt(),)
    exit_codes: tuple[int, ...] = (0,)  # the first launch's exit code, then each relaunch's
    with_store: bool = False  # Airflow's task state store is there (Airflow 3.1+)
    describe_delay: int = 0  # seconds before ListTasks/DescribeTasks show a new task
    service_redeploys: bool = False  # a service in the same cluster is redeployed each try

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interleaving:
        return cls(
            attempts=tuple(Attempt(**a) for a in data["attempts"]),
            exit_codes=tuple(data["exit_codes"]),
            with_store=bool(data["with_store"]),
            describe_delay=int(data["describe_delay"]),
            service_redeploys=bool(data["service_redeploys"]),
        )


def generate(seed: int, index: int) -> Interleaving:
    """Case `index` of `seed`: the same pair always gives the same case (resumable runs)."""
    rng = random.Random(f"interleaving/{seed}/{index}")
    attempts = tuple(
        Attempt(
            death=rng.choice(KILL_POINTS),
            redeploy=rng.random() < 0.25,
            lose_response=rng.random() < 0.25,
            throttle=rng.choice((0, 0, 0, 1, 2, 3)),
            pause=rng.choice(PAUSES),
        )
        for _ in range(rng.randint(1, 4))
    )
    return Interleaving(
        attempts=attempts,
        exit_codes=tuple(rng.choice(EXIT_CODES) for _ in range(rng.randint(1, 3))),
        with_store=rng.random() < 0.5,
        describe_delay=rng.choice(DESCRIBE_DELAYS),
        service_redeploys=rng.random() < 0.25,
    )


def _simpler_attempts(case: Interleaving) -> Iterator[Interleaving]:
    attempts = case.attempts
    for i in range(len(attempts)):
        if len(attempts) > 1:
            yield replace(case, attempts=attempts[:i] + attempts[i + 1 :])
        plain = Attempt()
        for name in ("death", "redeploy", "lose_response", "throttle", "pause"):
            if getattr(attempts[i], name) != getattr(plain, name):
                simpler = replace(attempts[i], **{name: getattr(plain, name)})
                yield replace(case, attempts=(*attempts[:i], simpler, *attempts[i + 1 :]))


def simpler(case: Interleaving) -> Iterator[Interleaving]:
    """Cases one step simpler than `case` (fewer attempts, plainer fields), simplest first."""
    yield from _simpler_attempts(case)
    codes = case.exit_codes
    if len(codes) > 1:
        yield replace(case, exit_codes=codes[:-1])
    for i, code in enumerate(codes):
        if code != 0:
            yield replace(case, exit_codes=(*codes[:i], 0, *codes[i + 1 :]))
    plain = Interleaving()
    for name in ("with_store", "describe_delay", "service_redeploys"):
        if getattr(case, name) != getattr(plain, name):
            yield replace(case, **{name: getattr(plain, name)})
