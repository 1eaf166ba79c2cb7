"""Brian2 utilities shared by the Brian2 realizations: compiler and device checks,
switching the code-generation target and the standalone device, and time-grid checks.

Brian2 is imported lazily (:func:`_b2`), so importing a realization does not need it.

* :func:`find_compiler` finds the C++ compiler brian2's makefile will call
  (``$CXX``, else the first of :data:`COMPILERS` on PATH);
* :func:`check_device` / :func:`device_check`: the availability check of a
  realization whose options have ``device`` (``"runtime"`` or ``"cpp_standalone"``)
  and ``codegen_target`` (``"numpy"`` or ``"cython"``): compiled targets need a C++
  compiler, and ``cpp_standalone`` also ``make``; the error names the realization,
  the option and what is missing, before any work;
* :func:`runtime_target` and :func:`standalone` switch brian2's code-generation target
  or device for a block and restore it afterwards, so later runs in the same process
  are unaffected; :func:`standalone` builds on a device of its own, which stays usable
  after the block to re-run the compiled project (``device.run(run_args=...)``);
* :func:`is_multiple`: whether a duration is a whole number (at least 1) of steps;
* :class:`OpenMPOptions`: the ``openmp_threads`` option of a realization that builds with
  ``cpp_standalone`` (a base of its options class), handed to :func:`standalone`.

OpenMP and determinism: Brian2's standalone templates split neuron updates over
threads (each neuron's update is independent of the others) but apply a synaptic
``on_pre`` that writes a postsynaptic variable on the master thread only, in the order
of the spike queue; so without random numbers in the simulation the spikes are the same
for any thread count (tested on the Hopfield network at T = 0). Random functions
(``rand()``, ``xi``) draw from one generator per thread, so with noise the draws, and
the spikes, depend on the thread count (still the same for the same seed and count).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pydantic
from pydantic import Field

from neurotwin.errors import BackendUnavailable
from neurotwin.params import Params

#: C++ compilers looked for on PATH (when $CXX is not set), in brian2's makefile order
COMPILERS = ("c++", "g++", "clang++")
_REL_TOL = 1e-6


def run_report() -> dict[str, Any]:
    """Keyword arguments for ``Network.run`` that print Brian2's progress report on stderr
    every 5 s of wall time where :func:`neurotwin.progress.enabled` (else none):
    ``net.run(duration, namespace=ns, **run_report())``."""
    from neurotwin import progress

    if not progress.enabled():
        return {}
    return {"report": "stderr", "report_period": 5 * _b2().second}


def _b2():
    import brian2

    return brian2


def import_without_pylab() -> None:
    """Import Brian2 without the ``from pylab import *`` of its ``__init__``.

    That line imports matplotlib.pyplot: 0.3-0.7 s of the 0.9-1.6 s that ``import
    brian2`` took on the 2-core machine (issue 16), paid by every sweep worker before its
    first point. With ``pylab`` missing, Brian2 takes the path it has for installs
    without matplotlib (numpy's names imported one by one), so its code runs the same;
    only pylab's plotting names (``plot``, ``figure``, ...) are absent from the
    ``brian2`` namespace. Hence only for processes neurotwin starts and owns (the
    workers of a sweep's own local cluster), never in a user's session, where ``from
    brian2 import *`` may be expected to bring them. ``pylab`` imports normally again
    afterwards. Does nothing if Brian2 or pylab is already imported.
    """
    import sys

    if "brian2" in sys.modules or "pylab" in sys.modules:
        return
    sys.modules["pylab"] = None  # `import pylab` raises ImportError while this is set
    try:
        import brian2  # noqa: F401
    finally:
        if "pylab" in sys.modules and sys.modules["pylab"] is None:
            del sys.modules["pylab"]


def is_multiple(x: float, step: float) -> bool:
    """``x`` is ``k * step`` for a whole ``k >= 1``, to a relative tolerance of 1e-6 of ``x``."""
    k = round(x / step)
    return k >= 1 and abs(x - k * step) <= _REL_TOL * x


def check_multiple(
    name: str, value: float, step: float, step_name: str, at_least: int | None = None
) -> None:
    """Raise ``ValueError("name: must be an integer multiple of step_name = step ...")``
    (the Params formatter makes it ``Class.name: ...``) unless ``value`` is whole steps,
    and at least ``at_least`` of them where given (counted in windows)."""
    if not is_multiple(value, step) or (at_least is not None and round(value / step) < at_least):
        least = f", at least {at_least} windows" if at_least is not None else ""
        raise ValueError(
            f"{name}: must be an integer multiple of {step_name} = {step!r}{least} (got {value!r})"
        )


# -- availability ------------------------------------------------------------------


def find_compiler() -> str | None:
    """The C++ compiler brian2's makefile will call: ``$CXX`` if set, else the first found."""
    cxx = os.environ.get("CXX", "").split()
    if cxx:
        return shutil.which(cxx[0])
    for name in COMPILERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def check_device(options: Any | None, realization: str) -> None:
    """Compiled targets need a C++ compiler (and standalone ``make``): name what is missing.

    ``options`` has ``device`` and ``codegen_target``; ``realization`` names the
    realization in the error, e.g. ``"hopfield/brian2"``.
    """
    if options is None:
        return
    if options.device == "cpp_standalone":
        what, tools = "device='cpp_standalone'", ("make",)
    elif options.codegen_target == "cython":
        what, tools = "codegen_target='cython'", ()
    else:
        return
    if find_compiler() is None:
        cxx = os.environ.get("CXX", "").split()
        looked = f"$CXX = {cxx[0]!r} is not" if cxx else f"none of {', '.join(COMPILERS)}"
        raise BackendUnavailable(
            f"realization {realization} with {what} needs a C++ compiler "
            f"({looked} on PATH); install one, e.g. apt-get install g++"
        )
    for tool in tools:
        if shutil.which(tool) is None:
            raise BackendUnavailable(
                f"realization {realization} with {what} needs {tool} "
                f"(not on PATH); install it, e.g. apt-get install {tool}"
            )


def device_check(realization: str) -> Callable[[Any | None], None]:
    """The registry's ``check`` for a Brian2 realization named ``realization``
    (e.g. ``"hopfield/brian2"``): :func:`check_device` with that name."""

    def check(options: Any | None) -> None:
        check_device(options, realization)

    return check


# -- devices -----------------------------------------------------------------------


class OpenMPOptions(Params):
    """Mixin of a Brian2 realization's options: OpenMP threads of a ``cpp_standalone`` build.

    The options class it is mixed into has ``device``; ``openmp_threads`` applies only to
    ``device='cpp_standalone'`` and may not exceed the machine's cores (``os.cpu_count()``:
    more threads than cores only time-share them).
    """

    openmp_threads: int | None = Field(
        None,
        ge=1,
        description="OpenMP threads of a cpp_standalone simulation (None: no OpenMP)",
    )

    @pydantic.model_validator(mode="after")
    def _openmp_threads_apply(self):
        threads = self.openmp_threads
        if threads is None:
            return self
        device = getattr(self, "device", "cpp_standalone")
        if device != "cpp_standalone":
            raise ValueError(
                f"openmp_threads: must be None unless device='cpp_standalone' (got {threads!r})"
            )
        cores = os.cpu_count() or 1
        if threads > cores:
            raise ValueError(
                f"openmp_threads: must be at most the {cores} CPU cores of this machine "
                f"(os.cpu_count()) (got {threads!r})"
            )
        return self


@contextlib.contextmanager
def runtime_target(target: str) -> Iterator[None]:
    """Use ``target`` for code generation inside the block; restore the preference after."""
    prefs = _b2().prefs
    old = prefs.codegen.target
    prefs.codegen.target = target
    try:
        yield
    finally:
        prefs.codegen.target = old


@contextlib.contextmanager
def standalone(directory: str, openmp_threads: int | None = None) -> Iterator[Any]:
    """Build on a new ``cpp_standalone`` device (into ``directory``) inside the block.

    ``openmp_threads`` (None: no OpenMP) sets Brian2's
    ``prefs.devices.cpp_standalone.openmp_threads`` for the block, so a build inside it
    compiles that many threads into the project (re-runs of the binary keep them); the
    preference is restored afterwards.

    The block gets a device of its own (not Brian2's shared ``cpp_standalone``
    instance), so nothing of an earlier build leaks into this one; on exit the
    previous device (normally ``runtime``) is active again, so later runtime runs in
    the same process work. The yielded device stays usable after the block: hold
    it to ``run`` the compiled project again (``device.run(run_args=...)``) and to
    read the monitors. If the block fails, the folders it created for
    ``directory`` are removed (no half build is left), and a failed compilation (a
    broken compiler, e.g. ``CXX=false``) is a one-line :class:`BackendUnavailable`.
    """
    b2 = _b2()
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import reset_device

    # the outermost folder this build creates: removed again if the build fails
    created = os.path.abspath(directory)
    while not os.path.exists(os.path.dirname(created)):
        created = os.path.dirname(created)
    created = None if os.path.exists(created) else created
    device = CPPStandaloneDevice()
    b2.set_device(device, directory=directory, build_on_run=False)
    old_threads = b2.prefs.devices.cpp_standalone.openmp_threads
    b2.prefs.devices.cpp_standalone.openmp_threads = openmp_threads or 0
    env_cxx = None
    if "CXX" not in os.environ:
        # make's default $(CXX) is g++; point it at the compiler we found instead
        found = find_compiler()
        if found is not None and shutil.which("g++") is None:
            env_cxx = os.environ["CXX"] = found
    try:
        yield device
    except BaseException as exc:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        if isinstance(exc, RuntimeError) and "compilation failed" in str(exc):
            cxx = os.environ.get("CXX") or find_compiler() or "c++"
            raise BackendUnavailable(
                f"device='cpp_standalone': the C++ compiler ({cxx!r}, via make) failed to "
                f"build the network ({str(exc).split('.')[0]}); check the compiler and "
                f"$CXX, or use device='runtime'"
            ) from None
        raise
    finally:
        if env_cxx is not None:
            os.environ.pop("CXX", None)
        b2.prefs.devices.cpp_standalone.openmp_threads = old_threads
        reset_device()


__all__ = [
    "COMPILERS",
    "OpenMPOptions",
    "check_device",
    "device_check",
    "find_compiler",
    "is_multiple",
    "run_report",
    "runtime_target",
    "standalone",
]
