"""Figures. The only package of neurotwin that imports matplotlib.

Shared helpers are in ``plotting.base``, one Result's figure and the comparison figure in
``plotting.comparison``, and each model family's figures in ``plotting.<family>``; the
names most used are imported here.

Every function takes data (an :class:`xarray.Dataset` from a sweep, arrays, a
:class:`~neurotwin.results.Result` or a :class:`~neurotwin.compare.Comparison`) and a
``path``, draws one labelled figure and returns it as a matplotlib ``Figure``; with a
``path`` it saves it as PNG (atomically: temp file, then rename), closes it and returns
the path instead. One-panel figures also take ``ax=`` to draw into an existing axes (a
notebook's subplot). Error bars are the standard error of the mean over seeds (failed
points, NaN, left out).

Importing this package does not choose matplotlib's backend: the command line picks a
non-interactive one (Agg) itself; a notebook keeps its own.
"""

from .base import (  # noqa: F401
    ALPHA_C,
    DPI,
    LINESTYLES,
    _failed_note,
    finish,
    mean_sem,
    new_axes,
    param,
    plt,
    save,
    sweep_lines,
)
from .comparison import comparison, dynamics_series, result  # noqa: F401
from .hopfield import basins, capacity_curve, dynamics, rate_vs_spiking  # noqa: F401
from .synchronization import (  # noqa: F401
    bridge_onset,
    kuramoto_transition,
    spiking_sync,
    sync_memory,
)
