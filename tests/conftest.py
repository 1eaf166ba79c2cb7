"""Fixtures in the spirit of Nengo's pytest plugin: ``seed``, ``rng``, ``plt``."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest


def pytest_addoption(parser):
    parser.addoption("--plots", default=None, help="save each test's figure into this folder")


@pytest.fixture
def seed(request) -> int:
    """A seed fixed per test (from its name), so tests are reproducible and independent."""
    return zlib.crc32(request.node.nodeid.encode()) % (2**31)


@pytest.fixture
def rng(seed) -> np.random.Generator:
    return np.random.default_rng(seed)


class _NoPlot:
    """Stands in for pyplot when --plots is not given: every call does nothing."""

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __iter__(self):
        return iter((self, self))


@pytest.fixture
def plt(request):
    """matplotlib.pyplot when ``--plots DIR`` is given (the figure is saved there), else a no-op."""
    folder = request.config.getoption("--plots")
    if folder is None:
        yield _NoPlot()
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    path = Path(folder) / (request.node.nodeid.replace("/", ".").replace("::", ".") + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    pyplot.savefig(path, dpi=100)
    pyplot.close("all")
