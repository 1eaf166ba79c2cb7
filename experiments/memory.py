"""Continual learning and damage: the palimpsest span against the classical blackout, the
recall of a damaged Hebbian memory (clipped synapses, dilution), and damage on one scale for
every memory model and realization (``damage-hopfield``, ``damage-modern-hopfield``,
``damage-ring``).

Sources (values beside the measured ones in each summary and in ``docs/models/memory.rst``):
Amit, Gutfreund & Sompolinsky (1985): alpha_c = 0.138 for the Hebbian network; Nadal,
Toulouse, Changeux & Dehaene (1986), Mezard, Nadal & Toulouse (1986), Parisi (1986): a
palimpsest keeps a stationary span of the most recent patterns (the issue quotes ~0.05 N;
the papers' exact values were not found by the search tool, so none is asserted here);
Hopfield (1982): clipping costs a factor 2/pi of the load at a fixed error rate, and the
network is robust to element failure; Sompolinsky (1986): clipped synapses (the issue
quotes alpha_c ~ 0.1, not found in any text); Derrida, Gardner & Zippelius (1987): P/K =
2/pi in the extremely diluted limit. Each experiment has a ``-quick`` variant.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.sweep import Experiment, register_experiment, summary_value, sweep_param

ALPHA_C_HEBBIAN = 0.138  # Amit, Gutfreund & Sompolinsky (1985)
ALPHA_C_DILUTED = 2 / np.pi  # Derrida, Gardner & Zippelius (1987), per connection


def _r(v) -> float | None:
    return None if v is None else summary_value(v, 4)


def _mean_sd(da: xr.DataArray) -> list:
    return [_r(da.mean("seed")), _r(da.std("seed"))]


def half_recall_alpha(x: np.ndarray, y: np.ndarray) -> float | None:
    """First load where the mean recall fraction falls below 1/2 (linear interpolation)."""
    below = np.flatnonzero(y < 0.5)
    if len(below) == 0 or below[0] == 0:
        return None
    i = below[0]
    return float(x[i - 1] + (0.5 - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))


# -- palimpsest span vs stream length -------------------------------------------------


def _stream(point: dict, n_units: int) -> dict:
    out = dict(point)
    out["n_stream"] = max(1, int(round(out.pop("load") * n_units)))
    return out


def span_summary(ds: xr.Dataset) -> dict:
    out: dict = {
        "source": "AGS 1985: Hebbian blackout past alpha_c = 0.138; palimpsests (Nadal et al. "
        "1986, Mezard et al. 1986, Parisi 1986): stationary span, ~0.05 N quoted by the issue "
        "(exact published value not found by the search tool)",
        "n_units": int(sweep_param(ds, "n_units")),
        "n_seeds": int(ds.sizes["seed"]),
        "span_fraction [mean, sd over seeds]": {},
    }
    for rule in ds["rule"].values:
        out["span_fraction [mean, sd over seeds]"][str(rule)] = {
            f"load={v:g}": _mean_sd(ds["span_fraction"].sel(rule=rule, load=v))
            for v in ds["load"].values
        }
    return out


def span_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import memory as plot
    from neurotwin.plotting import save

    fig = plot.curves(
        ds, "load", "rule", "span_fraction",
        "patterns presented L / N", "patterns retrieved / N",
        refs={"0.138 (AGS 1985)": ALPHA_C_HEBBIAN},
    )  # fmt: skip
    fig.axes[0].set_title(
        f"Catastrophic blackout (hebbian) vs graceful forgetting (palimpsests), "
        f"N = {int(sweep_param(ds, 'n_units'))}, {ds.sizes['seed']} seeds"
    )
    return save(fig, path)


def _span(quick: bool = False) -> Experiment:
    n = 100 if quick else 200
    loads = [0.1, 0.2, 0.5] if quick else [0.05, 0.1, 0.13, 0.16, 0.2, 0.3, 0.5, 1.0, 2.0]
    return Experiment(
        name="palimpsest-span" + ("-quick" if quick else ""),
        model="palimpsest-hopfield",
        grid={"rule": ["hebbian", "marginalist", "bounded"], "load": loads},
        seeds=(0, 1) if quick else (0, 1, 2, 3, 4),
        fixed={"n_units": n},
        observables=("span_fraction", "span"),
        point_params=partial(_stream, n_units=n),
        figure=span_figure,
        summary=span_summary,
        description="Patterns retrieved (per neuron) after a stream of L patterns learned "
        "online: the classical Hebbian sum retrieves all up to ~0.138 N and none beyond; "
        "marginalist forgetting and learning within bounds keep the most recent ones.",
        quick=None if quick else partial(_span, quick=True),
    )


# -- the forgetting rate ---------------------------------------------------------------


def epsilon_summary(ds: xr.Dataset) -> dict:
    m = ds["span_fraction"].mean("seed")
    best = float(ds["epsilon"].values[int(np.argmax(m.values))])
    return {
        "source": "Nadal et al. 1986 / Mezard et al. 1986: an optimal forgetting rate "
        "(value not found by the search tool)",
        "span_fraction [mean, sd] by epsilon": {
            f"epsilon={e:g}": _mean_sd(ds["span_fraction"].sel(epsilon=e))
            for e in ds["epsilon"].values
        },
        "best_epsilon": best,
        "best_span_fraction": _r(m.max()),
    }


def epsilon_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import mean_sem, new_axes, save

    fig, ax = new_axes()
    m, e = mean_sem(ds["span_fraction"])
    ax.errorbar(ds["epsilon"].values, m, yerr=e, marker="o", capsize=3)
    ax.set_xlabel("forgetting rate epsilon (marginalist)")
    ax.set_ylabel("patterns retrieved / N")
    ax.set_title(f"Marginalist palimpsest, L = 2N, N = {int(sweep_param(ds, 'n_units'))}")
    ax.grid(alpha=0.3)
    return save(fig, path)


def _epsilon(quick: bool = False) -> Experiment:
    n = 100 if quick else 200
    eps = [2.0, 4.0, 8.0] if quick else [2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0]
    return Experiment(
        name="palimpsest-epsilon" + ("-quick" if quick else ""),
        model="palimpsest-hopfield",
        grid={"epsilon": eps},
        seeds=(0, 1) if quick else (0, 1, 2, 3, 4),
        fixed={"n_units": n, "n_stream": 2 * n, "n_probes": n // 2, "rule": "marginalist"},
        observables=("span_fraction", "span"),
        figure=epsilon_figure,
        summary=epsilon_summary,
        description="Span of the marginalist palimpsest against its forgetting rate epsilon: "
        "too slow forgetting overloads, too fast erases; the span peaks in between.",
        quick=None if quick else partial(_epsilon, quick=True),
    )


# -- clipped synapses: capacity ------------------------------------------------------


def _alpha(point: dict, n_units: int) -> dict:
    out = dict(point)
    out["n_patterns"] = max(1, int(round(out.pop("alpha") * n_units)))
    return out


def clipped_summary(ds: xr.Dataset) -> dict:
    x = np.asarray(ds["alpha"].values, dtype=float)
    out: dict = {
        "source": "AGS 1985: alpha_c = 0.138 (hebbian); Sompolinsky 1986: clipped synapses "
        "(~0.1 quoted by the issue; not checked in the paper's text)",
        "alpha_at_half_recall": {},
        "recall_fraction [mean, sd]": {},
    }
    for kind in ds["damage"].values:
        y = ds["recall_fraction"].sel(damage=kind).mean("seed").values
        out["alpha_at_half_recall"][str(kind)] = _r(half_recall_alpha(x, y))
        out["recall_fraction [mean, sd]"][str(kind)] = {
            f"alpha={a:g}": _mean_sd(ds["recall_fraction"].sel(damage=kind, alpha=a)) for a in x
        }
    return out


def clipped_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import memory as plot
    from neurotwin.plotting import save

    fig = plot.curves(
        ds, "alpha", "damage", "recall_fraction", "load P / N", "fraction of cues recalled",
        refs={"0.138": ALPHA_C_HEBBIAN, "~0.1 (clipped)": 0.1},
    )  # fmt: skip
    fig.axes[0].set_title(f"Hebbian vs clipped synapses, N = {int(sweep_param(ds, 'n_units'))}")
    return save(fig, path)


def _clipped(quick: bool = False) -> Experiment:
    n = 200 if quick else 1000
    alphas = [0.05, 0.1, 0.2] if quick else [0.06, 0.08, 0.09, 0.1, 0.11, 0.12, 0.14, 0.16]
    return Experiment(
        name="clipped-capacity" + ("-quick" if quick else ""),
        model="damaged-hopfield",
        grid={"damage": ["none", "clip"], "alpha": alphas},
        seeds=(0, 1) if quick else (0, 1, 2, 3, 4),
        fixed={"n_units": n, "cue_noise": 0.0},
        observables=("recall_fraction", "final_overlap"),
        point_params=partial(_alpha, n_units=n),
        figure=clipped_figure,
        summary=clipped_summary,
        description="Fraction of patterns recalled (final overlap >= 0.95 from the pattern "
        "itself) against the load, for the Hebbian W and its sign (clipped synapses).",
        quick=None if quick else partial(_clipped, quick=True),
    )


# -- dilution: capacity per connection -------------------------------------------------


def _per_connection(point: dict, n_units: int) -> dict:
    out = dict(point)
    k = (1.0 - out["level"]) * (n_units - 1)
    out["n_patterns"] = max(1, int(round(out.pop("alpha_k") * k)))
    return out


def diluted_summary(ds: xr.Dataset) -> dict:
    x = np.asarray(ds["alpha_k"].values, dtype=float)
    out: dict = {
        "source": "Derrida, Gardner & Zippelius 1987: P/K = 2/pi = 0.6366 per connection in "
        "the extremely diluted limit K << ln N (finite N only approaches it)",
        "alpha_per_connection_at_half_recall": {},
    }
    for lv in ds["level"].values:
        y = ds["recall_fraction"].sel(level=lv).mean("seed").values
        out["alpha_per_connection_at_half_recall"][f"dilution={lv:g}"] = _r(half_recall_alpha(x, y))
    return out


def diluted_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import memory as plot
    from neurotwin.plotting import save

    fig = plot.curves(
        ds, "alpha_k", "level", "recall_fraction", "load per connection P / K",
        "fraction of cues recalled", refs={"2/pi (DGZ 1987)": ALPHA_C_DILUTED},
    )  # fmt: skip
    fig.axes[0].set_title(
        f"Randomly diluted Hebbian network, N = {int(sweep_param(ds, 'n_units'))}"
    )
    return save(fig, path)


def _diluted(quick: bool = False) -> Experiment:
    n = 400 if quick else 2000
    levels = [0.9] if quick else [0.0, 0.9, 0.98]
    loads = [0.1, 0.3, 0.8] if quick else [0.1, 0.14, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8]
    return Experiment(
        name="diluted-capacity" + ("-quick" if quick else ""),
        model="damaged-hopfield",
        grid={"level": levels, "alpha_k": loads},
        seeds=(0, 1) if quick else (0, 1, 2),
        fixed={"n_units": n, "damage": "dilute", "cue_noise": 0.0, "update": "sync"},
        observables=("recall_fraction", "final_overlap"),
        point_params=partial(_per_connection, n_units=n),
        figure=diluted_figure,
        summary=diluted_summary,
        description="Fraction recalled against the load per surviving connection P/K, for "
        "asymmetric random dilution: the more dilute, the closer to the 2/pi limit.",
        quick=None if quick else partial(_diluted, quick=True),
    )


for _factory in (_span, _epsilon, _clipped, _diluted):
    register_experiment(_factory())


# -- damage across models and realizations: one damage scale --------------------------

#: every realization a memory model has; those not installed here (nengo-loihi outside its
#: environment) are dropped by the sweep, which says so
DAMAGE_REALIZATIONS = ("reference", "brian2", "nengo", "loihi-emulator")
#: the damage scale: step 0 (undamaged, or 16 bits) to step 4 (most damaged), per kind;
#: ``level`` for dilute / delete_neurons (a fraction) and noise (std / std(W)), ``bits`` for
#: quantize (the Loihi emulator rounds to its own 8-bit weights on top)
DAMAGE_SCALE = {
    "dilute": [0.0, 0.25, 0.5, 0.75, 0.9],
    "delete_neurons": [0.0, 0.1, 0.2, 0.3, 0.5],
    "noise": [0.0, 0.5, 1.0, 2.0, 4.0],
    "quantize": [16, 4, 3, 2, 1],
}
DAMAGE_UNITS = {
    "dilute": "fraction of synapses deleted",
    "delete_neurons": "fraction of neurons deleted",
    "noise": "synaptic noise std / std(W)",
    "quantize": "bits per weight (sign included)",
}


def damage_point(point: dict) -> dict:
    """Grid point (``damage``, ``step``) -> the model's ``damage`` and ``level`` or ``bits``."""
    out = dict(point)
    kind, step = out["damage"], int(out.pop("step"))
    value = DAMAGE_SCALE[kind][step]
    out["bits" if kind == "quantize" else "level"] = value
    return out


def damage_summary(ds: xr.Dataset, observables: tuple[str, ...]) -> dict:
    out: dict = {
        "scale": {k: DAMAGE_SCALE[k] for k in ds["damage"].values},
        "n_seeds": int(ds.sizes["seed"]),
        "[mean, sd over seeds] per step": {},
    }
    reals = ds["realization"].values if "realization" in ds.dims else ["reference"]
    for name in observables:
        table = out["[mean, sd over seeds] per step"][name] = {}
        for kind in ds["damage"].values:
            for real in reals:
                da = ds[name].sel(damage=kind)
                if "realization" in ds.dims:
                    da = da.sel(realization=real)
                table[f"{kind}/{real}"] = [_mean_sd(da.sel(step=s)) for s in ds["step"].values]
    return out


def damage_figure(ds: xr.Dataset, path: Path, observable: str, ylabel: str, title: str) -> Path:
    from neurotwin.plotting import memory as plot
    from neurotwin.plotting import save

    fig = plot.damage_realizations(ds, observable, DAMAGE_SCALE, DAMAGE_UNITS, ylabel)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    return save(fig, path)


def _damage_experiment(
    name: str, model: str, quick: bool, factory, kinds: list[str], quick_kinds: list[str],
    fixed: dict, observables: tuple[str, ...], plot: tuple[str, str, str], description: str,
    derived: dict | None = None,
) -> Experiment:  # fmt: skip
    """One damage sweep: ``kinds`` x steps 0-4 (quick: ``quick_kinds`` x steps 0, 2, 4, one
    seed) on every realization; ``plot`` = (observable, y label, title)."""
    observable, ylabel, title = plot
    # the summary: the figure's observable first, then every kept one
    summarized = (observable, *[o for o in observables if o != observable])
    return Experiment(
        name=name + ("-quick" if quick else ""),
        model=model,
        realizations=DAMAGE_REALIZATIONS,
        grid={
            "damage": quick_kinds if quick else kinds,
            "step": [0, 2, 4] if quick else [0, 1, 2, 3, 4],
        },
        seeds=(0,) if quick else (0, 1, 2),
        fixed=fixed,
        observables=observables,
        derived=dict(derived or {}),
        point_params=damage_point,
        figure=partial(damage_figure, observable=observable, ylabel=ylabel, title=title),
        summary=partial(damage_summary, observables=summarized),
        description=description,
        quick=None if quick else partial(factory, quick=True),
    )


def _hopfield_damage(quick: bool = False) -> Experiment:
    n, p = (40, 3) if quick else (64, 5)
    return _damage_experiment(
        "damage-hopfield", "damaged-hopfield", quick, _hopfield_damage,
        list(DAMAGE_SCALE), ["dilute", "quantize"],
        {"n_units": n, "n_patterns": p, "cue_noise": 0.1},
        ("final_overlap", "recall_fraction"),
        ("final_overlap", "final overlap",
         f"Damaged Hebbian memory on every realization (N = {n}, P = {p}, cue noise 0.1)"),
        "Recall (final overlap with the cued pattern, over the surviving units) of a Hebbian "
        "memory against five kinds of damage on one scale, on the reference, Brian2, Nengo "
        "and the Loihi emulator (where installed) with the same damaged W and cues.",
    )  # fmt: skip


def _modern_damage(quick: bool = False) -> Experiment:
    n, p = (40, 3) if quick else (64, 8)
    return _damage_experiment(
        "damage-modern-hopfield", "damaged-modern-hopfield", quick, _modern_damage,
        ["dilute", "delete_neurons", "noise"], ["dilute", "noise"],
        {"n_units": n, "n_patterns": p, "n_cues": p, "cue_noise": 0.1,
         "interaction": "softmax"},
        ("final_overlap", "recall_fraction", "retrieval_error"),
        # the sign of the state: the reference's state is real-valued (a softmax mixture of
        # the damaged patterns, overlap above 1 with noise), the circuits' is +-1
        ("retrieval_error", "wrong bits (sign of the state vs stored pattern)",
         f"Damaged modern Hopfield network on every realization (N = {n}, P = {p})"),
        "Recall of the modern Hopfield network (softmax over memories) whose synapses, the "
        "stored patterns, are diluted, lose feature units or get noise; clip and quantize "
        "leave its one-bit synapses unchanged and are not swept.",
    )  # fmt: skip


def _ring_damage(quick: bool = False) -> Experiment:
    n = 32
    return _damage_experiment(
        "damage-ring", "damaged-ring-attractor", quick, _ring_damage,
        list(DAMAGE_SCALE), ["dilute", "quantize"],
        {"n_units": n, "duration_s": 0.5, "gamma": 0.05},
        ("drift_rad", "cue_error_rad", "bump_strength", "bump_speed"),
        ("abs_drift_rad", "|path-integration error| over the delay (rad)",
         f"Damaged ring attractor on every realization (N = {n}, gamma = 0.05)"),
        "Bump stability and path integration of the ring attractor (constant gamma: the "
        "bump should move at gamma / tau) against damage to W and W': the displacement "
        "minus the predicted one, and the bump's strength.",
        derived={"abs_drift_rad": abs_drift},
    )  # fmt: skip


def abs_drift(result) -> float:
    """|drift_rad|: the displacement over the delay minus what gamma predicts (rad)."""
    return abs(float(result.observables["drift_rad"]))


for _factory in (_hopfield_damage, _modern_damage, _ring_damage):
    register_experiment(_factory())
