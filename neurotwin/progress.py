"""Progress bars on stderr, only where someone watches.

A bar is shown for runs and sweeps (Brian2's ``report``, Nengo's progress bar, the
sweep's bar of points) when stderr is a terminal, and never with ``--json``: the
command line calls :func:`set_enabled` (``False`` for ``--json``). Library code asks
:func:`enabled`; nothing here draws.
"""

from __future__ import annotations

import sys

#: None: decided by whether stderr is a terminal
_enabled: bool | None = None


def enabled() -> bool:
    """Whether a run should show its progress on stderr now."""
    if _enabled is not None:
        return _enabled
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stderr
        return False


def set_enabled(on: bool | None) -> None:
    """Force bars on (True) or off (False); None: on where stderr is a terminal."""
    global _enabled
    _enabled = on


__all__ = ["enabled", "set_enabled"]
