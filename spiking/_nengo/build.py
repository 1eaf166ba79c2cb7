r"""The network a realization describes, and its Nengo model.

A realization describes its network as :class:`LIFPopulation` s (LIF neurons,
a constant bias current and, optionally, recurrent weights) and
:class:`WindowedInput` s (a constant vector switched on for a time window);
:func:`build_network` turns them into one ``nengo.Network`` that runs on float
Nengo and on the Loihi emulator alike (see
:mod:`~neurotwin.spiking._nengo.simulation` for what differs on the chip).

Weights enter as neuron-to-neuron transforms
--------------------------------------------
Recurrent weights are a ``nengo.Connection(ens.neurons, ens.neurons,
transform=R)``: no encoders, no decoders, ``gain = 1`` on every neuron, so the
input current of neuron :math:`i` is

.. math:: J_i(t) = b_i + \sum_j R_{ij}\, (h * \rho_j)(t) + \sum_k g_{ik} x_k(t)

with :math:`\rho_j` the spike train of neuron :math:`j` (spikes of area 1, so a
neuron firing at :math:`\nu` Hz contributes :math:`R_{ij} \nu` in the mean),
:math:`h` the Lowpass filter of time constant ``tau_syn_s`` and :math:`x_k` the
windowed inputs. Currents are in units of the LIF threshold (``v`` runs from
0 at reset to 1 at threshold; ``tau_rc dv/dt = J - v``; the voltage is clipped
at ``min_voltage``, 0 or ``-inf``). The alternative, a decoded (NEF) connection, puts
decoders and encoders between the neurons and behaves differently (it
represents a vector, with the decoding error of a finite ensemble); a
realization that uses it says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Backend = Literal["nengo", "loihi-emulator"]


@dataclass(frozen=True, eq=False)
class LIFPopulation:
    r"""``n`` LIF neurons with a bias current and, optionally, recurrent weights.

    Attributes
    ----------
    label : str
        Unique name; blocks and synapses on the chip are traced back by it.
    bias : (n,) array
        Constant input current :math:`b_i`, in threshold units.
    recurrent : (n, n) array or None
        :math:`R_{ij}` (post i, pre j): current per unit of presynaptic rate in
        Hz, i.e. the area of the filtered current one spike of j adds to i.
    tau_rc_s, tau_ref_s : float
        Membrane time constant and refractory period, in seconds.
    tau_syn_s : float
        Lowpass time constant of the recurrent and input synapses, in seconds.
    initial_voltage : (n,) array or None
        Initial membrane voltages in [0, 1); None: all zero. The chip ignores
        non-zero values (nengo-loihi warns and starts from zero).
    min_voltage : float
        Lower bound of the voltage (0: a reflecting floor at reset; ``-inf``: none).
    delay_steps : int
        Transmission delay of the recurrent synapses in simulator steps (float Nengo
        only: a discrete filter :math:`(1 - a) z^{-k} / (1 - a z^{-1})`,
        :math:`a = e^{-\Delta t / \tau}`, the Lowpass delayed by ``k`` steps;
        nengo-loihi 1.1 maps only Lowpass synapses, so the chip target needs 0).
    recurrent_residual : (n, n) array or None
        A second recurrent connection (same synapse) added to ``recurrent``. On the
        chip each connection has its own weight exponent, so the rounding error of
        the first can be stored, at a finer scale, in the second
        (:func:`~neurotwin.spiking._nengo.simulation.with_chip_residuals`, a mitigation
        of weight quantization).
    """

    label: str
    bias: np.ndarray
    recurrent: np.ndarray | None
    tau_rc_s: float
    tau_ref_s: float
    tau_syn_s: float
    initial_voltage: np.ndarray | None = None
    min_voltage: float = 0.0
    delay_steps: int = 0
    recurrent_residual: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.bias)


@dataclass(frozen=True, eq=False)
class WindowedInput:
    """``gain * values`` added to the input current of a population while
    ``t_start_s <= t < t_stop_s`` (zero otherwise).

    ``values`` must lie in [-1, 1]: on the chip they are sent from the host as
    spikes of on/off neurons that saturate at magnitude 1; the strength goes in
    ``gain`` (one per neuron, a diagonal transform held on chip).
    """

    target: str
    values: np.ndarray
    gain: np.ndarray
    t_start_s: float
    t_stop_s: float


@dataclass
class BuiltNetwork:
    """A nengo.Network built by :func:`build_network`, with its handles."""

    network: Any
    populations: list[LIFPopulation]
    inputs: list[WindowedInput]
    ensembles: dict[str, Any]
    recurrent: dict[str, Any]
    spike_probes: dict[str, Any]
    residual: dict[str, Any]


def build_network(
    populations: Sequence[LIFPopulation],
    inputs: Sequence[WindowedInput],
    backend: Backend,
    dt_s: float | None = None,
) -> BuiltNetwork:
    """One ``nengo.Ensemble`` per population (explicit gain 1 and bias), its
    recurrent neuron-to-neuron connection, a Node per input and spike probes.

    The input's Lowpass sits on the Nengo connection for ``backend="nengo"``;
    for ``"loihi-emulator"`` the connection has none and the chip applies it
    (``Model.decode_tau``, see :func:`~neurotwin.spiking._nengo.simulation.simulate`),
    so both filter it once.
    ``dt_s`` (the simulator step) is needed only by populations with delays.
    """
    import nengo

    labels = [p.label for p in populations]
    if len(set(labels)) != len(labels):
        raise ValueError(f"population labels must be unique (got {labels})")
    delayed = [p.label for p in populations if p.delay_steps]
    if delayed and (backend != "nengo" or dt_s is None):
        raise ValueError(
            f"synaptic delays need backend 'nengo' and dt_s (got {backend!r}, {dt_s!r} "
            f"for {delayed})"
        )
    ensembles, recurrent, probes, residual = {}, {}, {}, {}
    with nengo.Network(label="neurotwin") as net:
        for pop in populations:
            # explicit zeros, not None: nengo 4.1's LIF default is Uniform(0, 1)
            v0 = np.zeros(pop.n) if pop.initial_voltage is None else pop.initial_voltage
            state = {"voltage": np.asarray(v0, dtype=float)}
            neuron = nengo.LIF(
                tau_rc=pop.tau_rc_s,
                tau_ref=pop.tau_ref_s,
                min_voltage=pop.min_voltage,
                initial_state=state,
            )
            ens = nengo.Ensemble(
                pop.n,
                1,
                neuron_type=neuron,
                gain=np.ones(pop.n),
                bias=np.asarray(pop.bias, dtype=float),
                label=pop.label,
            )
            ensembles[pop.label] = ens
            if pop.recurrent is not None:
                recurrent[pop.label] = nengo.Connection(
                    ens.neurons,
                    ens.neurons,
                    transform=np.asarray(pop.recurrent, dtype=float),
                    synapse=_recurrent_synapse(pop, dt_s),
                    label=f"{pop.label}:recurrent",
                )
            if pop.recurrent_residual is not None:
                residual[pop.label] = nengo.Connection(
                    ens.neurons,
                    ens.neurons,
                    transform=np.asarray(pop.recurrent_residual, dtype=float),
                    synapse=nengo.Lowpass(pop.tau_syn_s),
                    label=f"{pop.label}:residual",
                )
            probes[pop.label] = nengo.Probe(ens.neurons, "output", synapse=None)
        for k, inp in enumerate(inputs):
            pop = populations[labels.index(inp.target)]
            node = nengo.Node(
                _window(np.asarray(inp.values, dtype=float), inp.t_start_s, inp.t_stop_s),
                size_out=pop.n,
                label=f"{inp.target}:input{k}",
            )
            nengo.Connection(
                node,
                ensembles[inp.target].neurons,
                transform=np.broadcast_to(np.asarray(inp.gain, dtype=float), (pop.n,)).copy(),
                synapse=nengo.Lowpass(pop.tau_syn_s) if backend == "nengo" else None,
                label=f"{inp.target}:input{k}",
            )
    return BuiltNetwork(
        net, list(populations), list(inputs), ensembles, recurrent, probes, residual
    )


def _recurrent_synapse(pop: LIFPopulation, dt_s: float | None):
    import nengo

    if not pop.delay_steps:
        return nengo.Lowpass(pop.tau_syn_s)
    a = math.exp(-dt_s / pop.tau_syn_s)
    # zero-order-hold Lowpass (nengo's own discretisation) times z^-k
    return nengo.LinearFilter([1.0 - a], [1.0, -a] + [0.0] * pop.delay_steps, analog=False)


def _window(values: np.ndarray, t_start: float, t_stop: float):
    zero = np.zeros_like(values)

    def output(t):
        # nengo calls this at the end of each step; half a step of slack makes the
        # window cover exactly round((t_stop - t_start) / dt) steps
        return values if t_start < t <= t_stop + 1e-9 else zero

    return output


__all__ = [
    "Backend",
    "BuiltNetwork",
    "LIFPopulation",
    "WindowedInput",
    "build_network",
]
