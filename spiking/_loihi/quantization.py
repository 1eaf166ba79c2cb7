"""What fixed point did to a network's weights and biases on the Loihi chip.

The chip stores 8-bit weights with one exponent per synapse (set by its largest
weight, relative to the block's) and biases with a 12-bit mantissa and a 3-bit
exponent. :func:`chip_weights` reads the stored weights of a connection back from a
built nengo-loihi model, in float units; :func:`weight_quantization` compares them
with the float weights (errors, levels, bits used and lost);
:func:`quantization_summary` is that report as plain JSON; :func:`bias_quantization`
does the same for the biases. :func:`loihi_quantize` is a numpy model of nengo-loihi's
weight rounding, usable without building a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .resources import blocks_of

if TYPE_CHECKING:
    from neurotwin.spiking._nengo.build import BuiltNetwork


def chip_weights(model, conn) -> np.ndarray:
    """The weights of ``conn`` as the chip holds them, back in float units.

    Returns a (pre, post) array in the units of nengo-loihi's float synapse
    weights (the neuron-to-neuron transform, transposed, divided by ``dt``).
    Each block stores integer weights :math:`w_{\\mathrm{int}}` already shifted
    by its synapse's weight exponent; the block's discretization (``w_scale``,
    ``w_exp`` in ``compartment.discretize_info``) maps a float weight :math:`w`
    to :math:`w\\, w_{\\mathrm{scale}}\\, 2^{6 + w_{\\mathrm{exp}}}`, so the
    chip's weight in float units is :math:`w_{\\mathrm{int}} /
    (w_{\\mathrm{scale}}\\, 2^{6 + w_{\\mathrm{exp}}})`. Works on split blocks
    (pieces found by the label :class:`_LabelSynapses` gave the synapse).
    """
    old = model.objs[conn]["weights"]
    n_pre = old.n_axons
    n_post = conn.post_obj.size_in
    out = np.zeros((n_pre, n_post))
    found = False
    for block in blocks_of(model, conn.post_obj.ensemble):
        comp_ids = np.array(list(model.block_comp_map[block]), dtype=np.int64)
        info = block.compartment.discretize_info
        scale = _weight_scale(info)
        for syn in block.synapses:
            if syn is old:
                axon_ids = np.arange(n_pre)
            elif isinstance(syn.label, str) and syn.label.startswith(f"{old.label}["):
                axon_ids = _split_axon_ids(old, set(comp_ids.tolist()))
            else:
                continue
            found = True
            for a_new, a_old in enumerate(axon_ids):
                w, idx = syn.axon_weights_indices(a_new)
                out[a_old, comp_ids[idx]] = np.asarray(w, dtype=float) / scale
    if not found:  # pragma: no cover - nengo-loihi internals changed
        raise RuntimeError(f"no chip synapse found for {conn}")
    return out


def quantization_summary(q: dict) -> dict:
    """A :func:`weight_quantization` report without the rounded matrix: plain JSON, for a
    Result's provenance."""
    return {k: v for k, v in q.items() if k != "quantized"}


def _weight_scale(info: dict) -> float:
    """Float weight -> stored integer weight factor of a block: w_scale 2^(6 + w_exp).
    One scale per block (nengo-loihi asserts it), sometimes held as an array."""
    return float(np.ravel(info["w_scale"])[0]) * 2.0 ** (6 + int(np.ravel(info["w_exp"])[0]))


def _split_axon_ids(old, block_comps: set) -> list[int]:
    # split_synapse keeps, in order, the old axons that reach any compartment of the block
    ids = []
    for a in range(old.n_axons):
        _, idx = old.axon_weights_indices(a)
        if block_comps.intersection(np.asarray(idx).tolist()):
            ids.append(a)
    return ids


def weight_quantization(model, conn, float_weights: np.ndarray, residual=None) -> dict:
    """Compare the chip's weights of ``conn`` (plus those of its ``residual``
    connection, if any) with the float weights (pre, post).

    Errors are relative to the full scale :math:`\\max |w|` (so a zero weight
    has a defined error): ``error_max`` = :math:`\\max |w_q - w| / \\max|w|`,
    ``error_rms`` = RMS of the same over all entries; ``error_max_nonzero_rel``
    is the largest elementwise :math:`|w_q - w| / |w|` over non-zero weights.
    ``weight_bits`` is the signed width actually used: the format's 8 bits
    (7 bits of magnitude in steps of 2 for mixed-sign weights, plus the sign),
    less any ``lost_bits`` (weight exponent below the format's range);
    ``resolution`` is the coarsest weight step (one least significant bit of the
    stored weights, in float units) over the connection's pieces.
    """
    wq = chip_weights(model, conn)
    if residual is not None:
        wq = wq + chip_weights(model, residual)
    w = np.asarray(float_weights, dtype=float)
    full = float(np.abs(w).max()) if w.size else 0.0
    err = (wq - w) / full if full > 0 else np.zeros_like(w)
    nz = w != 0
    rel_nz = np.abs(wq[nz] - w[nz]) / np.abs(w[nz]) if nz.any() else np.zeros(0)
    old = model.objs[conn]["weights"]
    cfgs, resolution, pieces = [], 0.0, []
    for block in blocks_of(model, conn.post_obj.ensemble):
        info = block.compartment.discretize_info
        comps = sorted(model.block_comp_map[block])
        for syn in block.synapses:
            if syn is old or (isinstance(syn.label, str) and syn.label.startswith(f"{old.label}[")):
                cfg = syn.synapse_cfg
                cfgs.append(cfg)
                pieces.append(
                    {
                        "post": [int(comps[0]), int(comps[-1]) + 1],
                        "block_w_max": float(info["w_max"]),
                        "block_w_exp": int(info["w_exp"]),
                    }
                )
                # integer weights are multiples of 2**(6 + max(shift + weight_exp, 0))
                grain = 2.0 ** (6 + max(cfg.shift_bits + cfg.weight_exp, 0))
                lsb = grain / _weight_scale(info)
                resolution = max(resolution, lsb)
    lost = max(max(0, -(c.shift_bits + c.weight_exp)) for c in cfgs)
    return {
        "weight_bits": int(cfgs[0].real_weight_bits - lost),
        "format_bits": int(cfgs[0].real_weight_bits),
        "weight_exp": sorted({int(c.weight_exp) for c in cfgs}),
        "lost_bits": int(lost),
        "range": [float(wq.min()), float(wq.max())],
        "float_range": [float(w.min()), float(w.max())],
        "levels": int(len(np.unique(wq))),
        "resolution": resolution,
        "error_max": float(np.abs(err).max()) if err.size else 0.0,
        "error_rms": float(np.sqrt(np.mean(err**2))) if err.size else 0.0,
        "error_max_nonzero_rel": float(rel_nz.max()) if rel_nz.size else 0.0,
        "zeroed": int(((wq == 0) & nz).sum()),
        "pieces": pieces,
        "residual_connection": residual is not None,
        "quantized": wq,
    }


def loihi_quantize(
    w: np.ndarray, block_w_max: float, block_w_exp: int = 0, lossy_shift: bool = True
) -> np.ndarray:
    r"""A numpy model of how nengo-loihi stores one synapse's float weights.

    The block's largest weight ``block_w_max`` maps to 255; a synapse whose own
    largest weight is :math:`2^{\Delta}` times smaller (:math:`\Delta =
    \lfloor\log_2(w_{\max,\mathrm{block}}/w_{\max})\rfloor`) gets a weight
    exponent :math:`\Delta` lower and so uses the full range too (the exponent
    is clamped at -6, and nengo-loihi then stores the weight
    :math:`2^{\Delta - e_b - 6}` times too large, which this model reproduces).
    Mixed-sign 8-bit weights keep 7 bits of magnitude: :math:`q =
    \operatorname{clip}(\operatorname{round}(x / 2), -127, 127)` with
    :math:`x = w \cdot 255 / w_{\max,\mathrm{block}} \cdot 2^{\Delta}`.
    When the weight exponent is below -1 the chip's two-part shift drops
    :math:`-(1 + e)` more low bits (``lossy_shift``; nengo-loihi warns "Lost
    ... bits in weight rounding"): :math:`q` is rounded again to a multiple of
    :math:`2^{-(1+e)}`. Returns the stored weights in float units,
    :math:`2 q\, 2^{e - e_b} / (255 / w_{\max,\mathrm{block}})` with :math:`e =
    \max(e_b - \Delta, -6)` (:math:`= 2 q / (255 / w_{\max,\mathrm{block}}
    \cdot 2^{\Delta})` when not clamped).
    (nengo-loihi computes in float32; this model in float64, so a value within
    float32 round-off of half-way between two steps, or a ratio of maxima within
    1e-6 of a power of 2, can come out the other way.)
    """
    w = np.asarray(w, dtype=float)
    w_max = float(np.abs(w).max()) if w.size else 0.0
    if w_max <= 1e-16:
        return np.zeros_like(w)
    w_scale = 255.0 / block_w_max
    # nengo-loihi takes both maxima from the same float32 weights; allow for float64 round-off
    dw = max(0, int(np.floor(np.log2(block_w_max / w_max) + 1e-6)))
    w_exp = max(block_w_exp - dw, -6)
    q = np.clip(np.round(w * w_scale * 2.0**dw / 2.0), -127, 127)
    s2 = 1 + w_exp
    if lossy_shift and s2 < 0:
        q = np.clip(np.round(q * 2.0**s2) / 2.0**s2, -127, 127)
    # stored as q * 2**(1 + w_exp + 6); equals 2 q / (w_scale 2**dw) unless w_exp was clamped
    return 2.0 * q * 2.0 ** (w_exp - block_w_exp) / w_scale


def bias_quantization(model, built: BuiltNetwork) -> dict:
    """Relative error of the chip's biases (12-bit mantissa, 3-bit exponent) per population."""
    out = {}
    for pop in built.populations:
        b_float = np.asarray(pop.bias, dtype=float)
        b_chip = np.zeros_like(b_float)
        for block in blocks_of(model, built.ensembles[pop.label]):
            comp_ids = np.array(list(model.block_comp_map[block]), dtype=np.int64)
            b_scale = np.asarray(block.compartment.discretize_info["b_scale"], dtype=float)
            b_chip[comp_ids] = np.asarray(block.compartment.bias, dtype=float) / b_scale
        full = float(np.abs(b_float).max()) or 1.0
        out[pop.label] = {
            "error_max": float(np.abs(b_chip - b_float).max() / full),
            "error_rms": float(np.sqrt(np.mean(((b_chip - b_float) / full) ** 2))),
        }
    return out


def float_with_chip_weights(weights: dict, options, q: dict) -> tuple[dict, dict] | str:
    """``deploy``'s ``chip_weights`` hook for one recurrent ``W`` with thresholds ``U``.

    The weights as the chip stores them, from the numpy model of nengo-loihi's rounding
    (:func:`loihi_quantize`, checked against the built chip in the tests), per core-sized
    piece (``q``: the chip report's weight quantization); ``U`` is shifted so that the
    bias ``1 - g (sum_j W_ij + U_i)`` stays the float one, as on the chip. Returns the
    weights and the rms error without the lost bits, or why it is not measured.
    """
    if "W" not in weights or getattr(options, "variant", None) != "neurons":
        return "not measured (only for one recurrent W realized one neuron per unit)"
    w = np.asarray(weights["W"], dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        return "not measured (only for one recurrent W realized one neuron per unit)"
    if q.get("residual_connection"):
        return "not measured (residual weights: the numpy rounding model covers one connection)"
    lo, hi = q["float_range"]
    full_chip = max(abs(lo), abs(hi))
    ratio = float(np.abs(w).max()) / full_chip if full_chip else 1.0
    wq = np.empty_like(w)
    wq_no_loss = np.empty_like(w)
    for piece in q["pieces"]:
        a, b = piece["post"]
        # (pre, post) float synapse weights are proportional to W.T: quantize W.T's columns
        wq[a:b, :] = loihi_quantize(
            w.T[:, a:b], piece["block_w_max"] * ratio, piece["block_w_exp"]
        ).T
        wq_no_loss[a:b, :] = loihi_quantize(
            w.T[:, a:b], piece["block_w_max"] * ratio, piece["block_w_exp"], False
        ).T
    out = dict(weights)
    out["W"] = wq
    out["U"] = np.asarray(weights["U"], dtype=float) + (w - wq).sum(axis=1)
    full = float(np.abs(w).max()) or 1.0
    rms = float(np.sqrt(np.mean(((wq_no_loss - w) / full) ** 2)))
    return out, {"weight_error_rms_without_lost_bits": rms}


__all__ = [
    "float_with_chip_weights",
    "bias_quantization",
    "chip_weights",
    "loihi_quantize",
    "quantization_summary",
    "weight_quantization",
]
