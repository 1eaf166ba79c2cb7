"""What a run will cost, checked before any work: memory against what is free, and
simulated steps against a budget the user can raise; and the machine's resources it is
checked against (:func:`available_memory`, :func:`usable_cores`).

A model estimates its own cost from its parameters (``ModelSpec.estimate(params,
options, realization) -> Cost``); :func:`check` refuses, with one line naming the
parameter, a run that cannot fit in the available memory or that would take more
than ``step_budget`` steps (default :data:`DEFAULT_STEP_BUDGET`; ``--step-budget`` on the
command line), so a huge size ends in an error instead of a ``MemoryError`` or a
run that never ends.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import ParamError

#: simulated steps (time steps x units, or unit updates) allowed without asking: about
#: an hour of the slowest realization here at ~1e6 steps/s; raise it with step_budget
DEFAULT_STEP_BUDGET = 4_000_000_000


@dataclass(frozen=True)
class Cost:
    """The estimate of one run.

    Attributes
    ----------
    bytes : int
        Peak memory the run's arrays need.
    steps : int
        Elementary simulated steps (e.g. unit updates, or time steps x neurons).
    memory_param, steps_param : str
        The parameter that drives each, named in the refusal.
    """

    bytes: int
    steps: int
    memory_param: str
    steps_param: str


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable on Linux; else physical pages free)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 2**63


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity on Linux; else all of them)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def gib(n: float) -> str:
    return f"{n / 2**30:.3g} GiB"


def check_step_budget(step_budget) -> int:
    if isinstance(step_budget, bool) or not isinstance(step_budget, int) or step_budget < 1:
        raise ParamError(f"step_budget: must be an integer >= 1 (got {step_budget!r})")
    return step_budget


def check(cost: Cost | None, params, step_budget: int | None = None) -> None:
    """Refuse a run whose estimated memory or steps are out of reach (one line)."""
    if cost is None:
        return
    cls = type(params).__name__
    free = available_memory()
    if cost.bytes > free:
        got = getattr(params, cost.memory_param, None)
        raise ParamError(
            f"{cls}.{cost.memory_param}: the run needs about {gib(cost.bytes)} of memory, "
            f"{gib(free)} is available (got {got!r})"
        )
    limit = DEFAULT_STEP_BUDGET if step_budget is None else check_step_budget(step_budget)
    if cost.steps > limit:
        got = getattr(params, cost.steps_param, None)
        raise ParamError(
            f"{cls}.{cost.steps_param}: the run would take about {cost.steps:.3g} simulated "
            f"steps, over the budget of {limit:.3g}; raise it with --step-budget (Python: "
            f"step_budget=) if you mean it (got {got!r})"
        )
