r"""The local learning rules: functions of pre, post and one local third factor.

Every rule is written as a function of the presynaptic activity ``pre``, the
postsynaptic activity ``post`` and, where the rule needs it, one local third factor
(a postsynaptic threshold, a top-down feedback):

=====================  =========================================================================
rule                   update (pre :math:`x_j`, post :math:`y_i`, third factor in brackets)
=====================  =========================================================================
Hebb, normalised       :math:`w \leftarrow (w + \eta\, y x) / \|w + \eta\, y x\|`
Oja (1982)             :math:`\Delta w_j = \eta\, y\,(x_j - y\, w_j)`
Sanger / GHA (1989)    :math:`\Delta W_{ij} = \eta\, y_i\,(x_j - \sum_{k \le i} y_k W_{kj})`
BCM (1982)             :math:`\Delta w_j = \eta\, x_j\, y\,(y - [\theta])`,
                       :math:`\tau_\theta \dot\theta = y^2 - \theta`
ICA, natural gradient  :math:`\Delta W_{ij} = \eta\,(W_{ij} - \tanh(y_i)\,[u_j])`,
                       :math:`u = W^\top y` (Amari, Cichocki & Yang 1996)
=====================  =========================================================================

The error-driven rules (the delta rule / PES, feedback alignment, backprop) live with
their models: :mod:`~neurotwin.rate_models.learning.credit_assignment` and
:mod:`~neurotwin.rate_models.learning.pes_readout`.

:func:`checkpoints` is the shared recording schedule of the online learners.

References
----------
Oja, E. (1982). J. Math. Biol. 15, 267-273.
Sanger, T. D. (1989). Neural Networks 2, 459-473.
Bienenstock, E. L., Cooper, L. N. & Munro, P. W. (1982). J. Neurosci. 2, 32-48.
Intrator, N. & Cooper, L. N. (1992). Neural Networks 5, 3-17.
Bell, A. J. & Sejnowski, T. J. (1995). Neural Comput. 7, 1129-1159.
Amari, S., Cichocki, A. & Yang, H. H. (1996). NIPS 8, 757-763.
"""

from __future__ import annotations

import numpy as np

from neurotwin.errors import SimulationError


def hebb_normalized_update(w: np.ndarray, pre: np.ndarray, post: float, eta: float):
    """Hebb's product ``eta * post * pre``, then divisive normalisation to |w| = 1."""
    w = w + eta * post * pre
    return w / np.linalg.norm(w)


def oja_update(w: np.ndarray, pre: np.ndarray, post: float, eta: float) -> np.ndarray:
    """Oja (1982): ``dw = eta * post * (pre - post * w)``; the decay is the first-order
    expansion of Hebb plus normalisation, and uses only the synapse's own weight."""
    return w + eta * post * (pre - post * w)


def sanger_update(w: np.ndarray, pre: np.ndarray, post: np.ndarray, eta: float) -> np.ndarray:
    """Sanger's GHA: ``dW = eta * (post pre^T - LT(post post^T) W)``; unit i subtracts
    the reconstruction by units k <= i (a lateral third factor)."""
    return w + eta * (np.outer(post, pre) - np.tril(np.outer(post, post)) @ w)


def bcm_update(w, pre, post: float, theta: float, eta: float, tau_theta: float, dt: float):
    """BCM: ``dw = eta * pre * post * (post - theta)``; the threshold slides,
    ``tau_theta dtheta/dt = post^2 - theta`` (Intrator & Cooper 1992)."""
    w = w + eta * pre * post * (post - theta)
    theta = theta + dt / tau_theta * (post**2 - theta)
    return w, theta


def ica_update(w: np.ndarray, pre: np.ndarray, post: np.ndarray, eta: float) -> np.ndarray:
    """Natural-gradient infomax: ``dW = eta * (W - tanh(post) u^T)``, ``u = W^T post``
    the top-down feedback each input receives (the same kind of term as Oja's
    ``post * w``); tanh suits super-Gaussian sources. ``pre`` enters only through
    ``post = W pre``."""
    u = w.T @ post
    return w + eta * (w - np.outer(np.tanh(post), u))


def annealed_rate(eta0: float, anneal_to: float, step: int, n_steps: int) -> float:
    """The rate at ``step`` (1..n_steps) of a geometric schedule from ``eta0`` at the
    first step to ``eta0 * anneal_to`` at the last (``anneal_to = 1``: constant)."""
    return eta0 * anneal_to ** ((step - 1) / max(n_steps - 1, 1))


def checkpoints(total: int, n_points: int) -> np.ndarray:
    """The steps (0..``total``) at which an online learner records its state: about
    ``n_points`` evenly spaced, 0 and ``total`` included."""
    return np.unique(np.linspace(0, total, n_points + 1).round().astype(int))


def diverged(where: str, variable: str, step: int, unit: str = "step") -> SimulationError:
    """The error of an online learner whose ``variable`` stopped being finite at ``step``
    (``where``: ``model/realization``); t is counted in steps (samples seen)."""
    return SimulationError(
        f"{where} {variable}: non-finite value at time step {step} (t = {step} {unit})"
    )
