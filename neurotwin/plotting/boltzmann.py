"""Figures of the Boltzmann machine experiments (``experiments/boltzmann.py``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .base import LINESTYLES, _failed_note, finish, mean_sem, new_axes, param, plt

_LABEL = {"reference": "Gibbs sampling", "brian2": "neural sampling (Brian2)"}


def sampling(
    ds: xr.Dataset, path: str | os.PathLike | None, counts: Sequence[int], ax: Any = None
) -> Figure | Path:
    """KL(sampled || exact) vs read-outs per chain, log-log: Gibbs (x = sweeps) and the
    neural sampler (x = t / tau), one line per network size, mean +- s.e.m. over seeds;
    the dotted lines are independent exact draws of the same number of samples."""
    fig, ax = new_axes(ax, figsize=(7, 4.8))
    tau_reads = float(param(ds, "tau_s")) / float(param(ds, "sample_dt_s"))
    n_chains = int(param(ds, "n_chains"))
    counts = np.asarray(counts, dtype=float)
    colors = {"reference": "tab:blue", "brian2": "tab:red"}
    for k, n in enumerate(ds["n_units"].values):
        for real in ds["realization"].values:
            sel = ds.sel(realization=real, n_units=n)
            y = np.array([mean_sem(sel[f"kl_at_{int(c)}"])[0] for c in counts])
            err = np.array([mean_sem(sel[f"kl_at_{int(c)}"])[1] for c in counts])
            x = counts if real == "reference" else counts / tau_reads
            ok = np.isfinite(y)
            ax.errorbar(
                x[ok],
                y[ok],
                yerr=err[ok],
                color=colors.get(str(real), "k"),
                ls=LINESTYLES[k % 4],
                marker="os"[k % 2],
                ms=4,
                capsize=2,
                label=f"{_LABEL.get(str(real), real)}, n = {int(n)}",
            )
    for n in ds["n_units"].values:
        # chi^2 floor of n_chains * count independent draws: (2^n - 1) / (2 N)
        floor = (2.0 ** int(n) - 1) / (2 * n_chains * counts)
        ax.plot(counts, floor, "k", ls=":", lw=1, label=f"iid floor (2^n - 1)/2N, n = {int(n)}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Gibbs: sweeps per chain;  neural sampling: t / τ")
    ax.set_ylabel("KL(sampled ‖ exact) (nats)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    _failed_note(ax, ds)
    ax.set_title(f"Boltzmann machine sampling, {n_chains} chains pooled")
    fig.tight_layout()
    return finish(fig, path)


def _grid(ax, images: np.ndarray, title: str) -> None:
    n = len(images)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    side = int(round(np.sqrt(images.shape[1])))
    canvas = np.ones((rows * (side + 1) - 1, cols * (side + 1) - 1)) * 0.5
    for k, img in enumerate(images):
        r, c = divmod(k, cols)
        canvas[r * (side + 1) : r * (side + 1) + side, c * (side + 1) : c * (side + 1) + side] = (
            img.reshape(side, side)
        )
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")


def rbm_digits(
    ds: xr.Dataset, path: str | os.PathLike | None, grids: Sequence[tuple]
) -> Figure | Path:
    """Training curves (exact log-likelihood, pseudo-likelihood, reconstruction error vs
    epoch, one line per method) and sample grids (``grids``: (title, (C, 64) samples))."""
    fig = plt.figure(figsize=(14, 7.5))
    ref = ds.sel(realization="reference") if "realization" in ds.dims else ds
    n_ep = int(param(ds, "n_epochs"))
    epochs = np.arange(n_ep + 1)
    panels = [
        ("ll", "exact log-likelihood (nats / image)"),
        ("pl", "pseudo-likelihood (nats / image)"),
        ("recon", "reconstruction error (MSE)"),
    ]
    for p_i, (short, label) in enumerate(panels):
        ax = fig.add_subplot(2, 3, p_i + 1)
        for m_i, m in enumerate(ref["method"].values):
            y = [float(ref[f"{short}_epoch{e}"].sel({"method": m}).mean("seed")) for e in epochs]
            ax.plot(epochs, y, ls=LINESTYLES[m_i % 4], marker="o", ms=3, label=str(m))
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for g_i, (title, images) in enumerate(grids):
        ax = fig.add_subplot(2, 3, 4 + g_i)
        _grid(ax, np.asarray(images, dtype=float), f"PCD-trained RBM: {title}")
    fig.suptitle(f"RBM on binarized digits, {int(param(ds, 'n_hidden'))} hidden units")
    fig.tight_layout()
    return finish(fig, path)


def temperature(ds: xr.Dataset, path: str | os.PathLike | None) -> Figure | Path:
    """Recall overlap and KL(sampled || exact) vs temperature, per realization."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    temps = np.asarray(ds["temperature"].values, dtype=float)
    for r_i, real in enumerate(ds["realization"].values):
        sel = ds.sel(realization=real)
        label = _LABEL.get(str(real), str(real))
        for ax, var in zip(axes, ("recall_overlap", "kl_to_exact"), strict=True):
            mean, sem = mean_sem(sel[var])
            ax.errorbar(
                temps,
                mean,
                yerr=sem,
                marker="os"[r_i % 2],
                ls=LINESTYLES[r_i],
                capsize=3,
                label=label,
            )
    mean, _ = mean_sem(ds["kl_iid"].isel(realization=0))
    axes[1].plot(temps, mean, "k:", label="iid draws (Gibbs sample count)")
    axes[0].set_ylabel("overlap with the cued pattern")
    axes[1].set_ylabel("KL(sampled ‖ exact) (nats)")
    axes[1].set_yscale("log")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("temperature T")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
        _failed_note(ax, ds)
    fig.suptitle(
        f"Boltzmann machine as a noisy memory: {int(param(ds, 'n_units'))} units, "
        f"{int(param(ds, 'n_patterns'))} Hebbian patterns"
    )
    fig.tight_layout()
    return finish(fig, path)
