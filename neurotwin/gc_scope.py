"""Keep Python's cyclic garbage collector off the objects that existed before a run.

Brian2 calls ``gc.collect()`` at every ``Network.run`` (to warn about objects left out
of a network). A full collection walks every tracked object of the process: after
``import brian2`` and one run that is about 176,000 objects (sympy, Brian2's caches,
xarray, Dask in a worker), 90-100 ms per collection on the 2-core development machine,
about 9 % of a 1 s Hopfield point (issue 16). Objects alive before a run cannot become
garbage of that run, so :func:`frozen_heap` moves them to Python's permanent generation
(``gc.freeze``) for the run's duration and gives them back afterwards (``gc.unfreeze``):
the run's own collections then see only the objects made during the run (a full
collection fell to under 3 ms). Nothing is kept alive longer than until the next
collection after the run, and what a run frees is collected as before.

Nested and concurrent runs (threads of one process) share one count: the heap is
frozen while any run is inside, and unfrozen when the last one leaves. A process that
froze objects itself (``gc.get_freeze_count() > 0`` before the first run) is left as it
is: unfreezing would hand back objects it froze.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_ours = False  # whether the outermost block froze the heap (and so unfreezes it)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the objects that exist now for the block (see the module docstring)."""
    global _depth, _ours
    with _lock:
        _depth += 1
        if _depth == 1:
            _ours = gc.get_freeze_count() == 0
            if _ours:
                gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _ours:
                gc.unfreeze()
                _ours = False
