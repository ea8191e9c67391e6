"""What can happen to one task instance between its first try and its verdict, as plain data.

An `Interleaving` is the script of one property case: per operator attempt, where the
worker dies (after which ECS answer, by SIGKILL or by a redeploy of the worker service that
stops it and runs `on_kill`), whether the worker protects its own ECS task during the try
(UpdateTaskProtection) and how that protection ends (cleared when the try ends, expiring
mid-try, or expired before the redeploy), whether RunTask's answer is lost, how often ECS
throttles, how long the worker stays away; then the containers' exit codes, whether Airflow's task state store exists, how
late ECS lists a new task (eventual consistency) and whether an ECS service in the same
cluster is redeployed meanwhile. Generated from a seeded generator (case N of seed S is
always the same case) and shrunk towards the simplest case that still fails. Adding a field
changes what case N is (the generator draws more numbers): `GENERATOR` names the version, and
a progress file of another version is not resumed.
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
#: Minutes the worker protects its ECS task for at the start of a try (0: it does not).
PROTECT_MINUTES = (0, 0, 1, 2, 5)
#: How the worker's protection ends when its service is redeployed mid-try: the redeploy
#: waits and the worker clears it when the try ends (the worker is stopped between tries);
#: the redeploy waits until it expires mid-try (then stops the worker); it had expired
#: before the redeploy (which stops the worker at once).
PROTECTION_ENDS = ("cleared", "expires", "expired")
#: The generator's version: bumped whenever `generate` draws differently (case N changes).
GENERATOR = 2


@dataclass(frozen=True)
class Attempt:
    """One try of the operator."""

    death: str | None = None  # the ECS operation after whose answer the worker dies
    redeploy: bool = False  # the death is a redeploy (SIGTERM: on_kill runs) not a SIGKILL
    lose_response: bool = False  # RunTask's answer never reaches the worker (once)
    throttle: int = 0  # the next N ECS calls are throttled (botocore retries them)
    pause: int = 0  # seconds (fake clock) before the next try
    protect_minutes: int = 0  # the worker protects its ECS task for this long during the try
    protection_ends: str = "cleared"  # one of PROTECTION_ENDS (with a redeploy)

    def __post_init__(self) -> None:
        if self.protection_ends not in PROTECTION_ENDS:
            raise ValueError(
                f"Attempt.protection_ends is {self.protection_ends!r}: "
                f"use one of {', '.join(PROTECTION_ENDS)}"
            )

    @property
    def redeploys_worker(self) -> bool:
        """The worker's service is redeployed at the kill point (a graceful death, or none
        while the worker's protection holds)."""
        return self.redeploy and self.death is not None


@dataclass(frozen=True)
class Interleaving:
    attempts: tuple[Attempt, ...] = (Attempt(),)
    exit_codes: tuple[int, ...] = (0,)  # the first launch's exit code, then each relaunch's
    with_store: bool = False  # Airflow's task state store is there (Airflow 3.1+)
    describe_delay: int = 0  # seconds before ListTasks/DescribeTasks show a new task
    service_redeploys: bool = False  # a service in the same cluster is redeployed each try

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def protected(self) -> bool:
        """The worker protects its ECS task during at least one try."""
        return any(a.protect_minutes > 0 for a in self.attempts)

    @property
    def worker_is_a_service_task(self) -> bool:
        """The world runs the worker as an ECS service task (only needed to redeploy or
        protect it: the other cases stay cheap)."""
        return self.protected or any(a.redeploys_worker for a in self.attempts)

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
            protect_minutes=rng.choice(PROTECT_MINUTES),
            protection_ends=rng.choice(PROTECTION_ENDS),
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
        names = ("death", "redeploy", "lose_response", "throttle", "pause", "protect_minutes")
        for name in (*names, "protection_ends"):
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
