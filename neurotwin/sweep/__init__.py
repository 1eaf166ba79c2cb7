"""Parameter grids, in this process or on Dask: one small file per point, resumable.

An :class:`Experiment` names a model, its realization(s), a grid (parameter name
-> values; the seeds are one more axis, ``"seed"``), fixed parameters and the
scalar observables to keep, plus a figure and a summary. :func:`run_sweep` runs
every point (grid values x seed x realization): with nothing chosen, a pilot of
about a second in this process measures the points and the rest runs here or on a
local Dask cluster, whichever is estimated faster (:mod:`.tasks`; the progress output
says which and why); with ``workers`` or a ``scheduler`` address, on that cluster, in
batches of points per task once their cost is measured, each worker's BLAS limited to
its share of the cores. Each finished point is written atomically to
``out_dir/points/<key>.nc``; ``<key>`` hashes the
model, realization, validated parameters and seed, so a re-run into the same
folder skips what is already there and an interrupted sweep loses nothing it
had written. At the end the points combine into one :class:`xarray.Dataset`
with a dimension per grid parameter and ``"seed"`` (and ``"realization"`` when
there are several), written to ``out_dir/<experiment>.nc``, drawn to
``out_dir/<experiment>.png`` and summarised in ``out_dir/<experiment>.summary.json``.

Layout of ``out_dir``::

    .lock                      held (flock) while a sweep writes here; a second one is refused
    sweep.json                 the manifest (experiment, model, grid, ...), written first
    points/<key>.nc            one finished point: its kept scalar observables, params in attrs
    <experiment>.nc            the combined dataset (complete sweeps only)
    <experiment>.png           the experiment's figure
    <experiment>.summary.json  its measured numbers and the sweep's bookkeeping

A point that raises (e.g. :class:`~neurotwin.errors.SimulationError`) is written
like any other, with NaN observables and its error text in the ``error``
attribute; the sweep goes on, and the combined dataset carries the text in its
``error`` variable (``""`` where the point succeeded). A point whose worker died is
submitted again a few times first (``worker_retries``); ``retry_failed`` recomputes
stored failures. A sweep stops with one-line errors that say it can be resumed when its
scheduler is lost or its cluster has no worker for ``worker_timeout_s``; file-system
errors are :class:`~neurotwin.errors.FileError` (see :mod:`neurotwin.files`). Dask
exchanges pickled tasks: give ``scheduler`` only the address of a cluster you trust.
"""

from .combine import combine, summary_value, sweep_param
from .experiment import (
    EXPERIMENT_PACKAGE,
    EXPERIMENTS,
    QUICK_SUFFIX,
    SMOKE_NOTE,
    SWEEP_SCHEMA,
    Experiment,
    available_part,
    experiments,
    get_experiment,
    register_experiment,
)
from .points import Point, expand, input_params, network_groups, point_key, read_point, run_point
from .run import LOCK_NAME, is_smoke_run, mark_smoke_figure, run_sweep

__all__ = [
    "LOCK_NAME",
    "EXPERIMENT_PACKAGE",
    "QUICK_SUFFIX",
    "SMOKE_NOTE",
    "SWEEP_SCHEMA",
    "is_smoke_run",
    "mark_smoke_figure",
    "EXPERIMENTS",
    "available_part",
    "Experiment",
    "Point",
    "combine",
    "expand",
    "experiments",
    "get_experiment",
    "input_params",
    "network_groups",
    "point_key",
    "read_point",
    "register_experiment",
    "run_point",
    "run_sweep",
    "summary_value",
    "sweep_param",
]
