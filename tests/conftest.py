"""Fixtures in the spirit of Nengo's pytest plugin: ``seed``, ``rng``, ``plt``, ``seed_base``."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
import pytest


def pytest_addoption(parser):
    parser.addoption("--plots", default=None, help="save each test's figure into this folder")
    parser.addoption(
        "--seed-base",
        type=int,
        default=None,
        help="shift every test's seeds by this base (default: $NEUROTWIN_SEED_BASE or 0), "
        "to check that the science tests pass on seeds they were not written with",
    )
    parser.addoption(
        "--claims-dir",
        default=None,
        help="write each science test's claims (measured vs published) into this folder, "
        "for docs/claims.json (see tests/claims.py)",
    )


def pytest_configure(config):
    # One value for the option and the environment variable, so modules that read
    # NEUROTWIN_SEED_BASE at import (to parametrize over seeds) agree with the fixtures;
    # the xdist workers inherit the environment.
    base = config.getoption("--seed-base")
    if base is not None:
        os.environ["NEUROTWIN_SEED_BASE"] = str(base)
    config.addinivalue_line(
        "markers", "claims: takes the claim fixture (set by conftest; select with -m claims)"
    )


def current_seed_base() -> int:
    """The seed base of this test run: ``--seed-base`` or ``$NEUROTWIN_SEED_BASE`` (default 0)."""
    return int(os.environ.get("NEUROTWIN_SEED_BASE", "0"))


@pytest.fixture
def seed_base() -> int:
    """The run's seed base; a stochastic science test draws its seeds as
    ``range(seed_base, seed_base + n)``."""
    return current_seed_base()


@pytest.fixture
def seed(request, seed_base) -> int:
    """A seed fixed per test (from its name, shifted by the seed base), so tests are
    reproducible and independent."""
    return (zlib.crc32(request.node.nodeid.encode()) + seed_base) % (2**31)


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # the call phase's outcome, kept on the test item for the claim fixture's teardown
    report = (yield).get_result()
    if report.when == "call":
        item.claims_outcome = report.outcome


def pytest_collection_modifyitems(config, items):
    # mark the tests that record claims, so ``-m claims`` runs exactly them
    for item in items:
        if "claim" in getattr(item, "fixturenames", ()):
            item.add_marker("claims")


@pytest.fixture
def claim(request, seed_base):
    """``claim(model=, claim=, source=, source_value=, measured=, interval=(lo, hi), unit=,
    seeds=)``: record a published number this test checks and what it measured. Written,
    with the seed base and the test's outcome, under ``--claims-dir`` (tests/claims.py);
    without the option only the fields are checked."""
    import claims

    recorded = []

    def record(**fields):
        recorded.append(claims.check_fields(fields))

    yield record
    folder = request.config.getoption("--claims-dir")
    if folder is not None and recorded:
        outcome = getattr(request.node, "claims_outcome", "failed")
        claims.write(folder, request.node.nodeid, seed_base, outcome, recorded)


def declared_tolerance(model: str, observable: str):
    """The model's declared rate-vs-spiking tolerance on ``observable`` (a
    :class:`neurotwin.compare.Tolerance` from ModelSpec.agreement): agreement tests check
    ``abs(spiking - reference) <= tol.bound(reference)``, ``compare``'s own verdict, so the
    two cannot drift apart."""
    from neurotwin.compare import tolerances

    return next(t for t in tolerances(model) if t.observable == observable)
