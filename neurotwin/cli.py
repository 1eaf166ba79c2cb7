"""Command line: ``neurotwin list | run | compare | sweep | deploy | export | import``.

Bad input ends with one line on stderr (``error: ...``) and exit code 2, before
any simulation runs or any file is written.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from .errors import FileError, InputError, NeurotwinError, ParamError
from .files import cause, check_writable, json_text

#: seeds are split by numpy's SeedSequence and stored as 64-bit integers
SEED_LIMIT = 2**64


class _Commands(TyperGroup):
    """Every command: a neurotwin error or a file-system error is one line, exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NeurotwinError as exc:
            _fail(exc)
        except OSError as exc:
            # os.replace(tmp, target) names the target second
            where = next((f for f in (exc.filename2, exc.filename) if f is not None), "a file")
            _fail(FileError(f"cannot use {where}: {cause(exc)}"))


app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, cls=_Commands)
console = Console()
err_console = Console(stderr=True)

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="parameter override KEY=VALUE (repeatable); VALUE is JSON or text"),
]


def _seed(value: Any) -> int:
    """``--seed``: an integer 0 <= seed < 2**64, else one line and exit 2 (no usage box)."""
    try:
        seed = int(str(value).strip(), 10)
    except ValueError:
        _fail(ParamError(f"seed: must be an integer >= 0 (got {value!r})"))
    if seed < 0:
        _fail(ParamError(f"seed: must be an integer >= 0 (got {seed})"))
    if seed >= SEED_LIMIT:
        _fail(ParamError(f"seed: must be an integer >= 0 and < 2**64 (got {seed})"))
    return seed


SeedOpt = Annotated[
    int, typer.Option(help="seed of every random draw, 0 <= seed < 2**64", parser=_seed)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]


def _step_budget(value: Any) -> int | None:
    """``--step-budget``: an integer >= 1 (``1e12`` allowed), else one line and exit 2."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        steps = int(text, 10)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            as_float = float("nan")
        if not (as_float.is_integer() and as_float >= 1):
            _fail(ParamError(f"step_budget: must be an integer >= 1 (got {value!r})"))
        steps = int(as_float)
    if steps < 1:
        _fail(ParamError(f"step_budget: must be an integer >= 1 (got {steps})"))
    return steps


StepBudgetOpt = Annotated[
    int | None,
    typer.Option(
        help="budget of simulated steps (default 4e9, see neurotwin.budget); a run "
        "estimated to take more is refused before it starts",
        parser=_step_budget,
    ),
]


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """``["n_units=100", "update=sync"]`` -> ``{"n_units": 100, "update": "sync"}``."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ParamError(f"--set: must be KEY=VALUE (got {item!r})")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def load_arrays(weights: Path | None, patterns: Path | None) -> dict | None:
    """``--weights FILE.npz`` and ``--patterns FILE.npy`` as one weights dict (no pickle)."""
    if weights is None and patterns is None:
        return None
    out: dict[str, Any] = {}
    for path, what in ((weights, "--weights"), (patterns, "--patterns")):
        if path is None:
            continue
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise InputError(f"{what}: cannot read {str(path)!r} as a numpy file ({exc})") from None
        if what == "--patterns":
            if not isinstance(data, np.ndarray):
                raise InputError(f"--patterns: must be one .npy array (got an archive {path})")
            out["patterns"] = data
        else:
            if isinstance(data, np.ndarray):
                raise InputError(f"--weights: must be an .npz of named arrays (got {path})")
            with data:
                out.update({k: data[k] for k in data.files})
    return out


def _standalone_builds_under(
    sets: dict[str, Any], folder: Path, model: str, realizations: list[str] | None
) -> dict[str, Any]:
    """Keep a cpp_standalone build next to the results it produced, unless told otherwise;
    only where one of ``realizations`` (default: the model's comparison rows) has a
    ``build_dir`` option, so a realization without one never hears of it."""
    if sets.get("device") != "cpp_standalone" or "build_dir" in sets:
        return sets
    from .registry import get_model, get_realization

    try:
        spec = get_model(model)
        names = realizations or [r for _, r, _ in spec.compare_runs] or list(spec.realizations)
        reals = [get_realization(model, name) for name in names]
    except NeurotwinError:
        return sets  # the run itself reports the bad name
    if any(r.options is not None and "build_dir" in r.options.model_fields for r in reals):
        return {**sets, "build_dir": str(folder / "brian2-standalone-build")}
    return sets


def _print_json(payload: Any) -> None:
    """One JSON object on stdout: strict JSON, NaN and infinities as null."""
    print(json_text(payload))


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _fail(exc: Exception) -> None:
    err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@app.command("list")
def list_models() -> None:
    """Every model (one line on what it is), its realizations and whether each can run
    here, and the experiments (``neurotwin sweep NAME``)."""
    from .describe import summary
    from .registry import all_models
    from .sweep import experiments

    table = Table("model", "what it is", "realization", "available here", "needs")
    for model, spec in all_models().items():
        for i, (name, real) in enumerate(spec.realizations.items()):
            why = real.why_unavailable()
            table.add_row(
                model if i == 0 else "",
                escape(summary(spec)) if i == 0 else "",
                name,
                "yes" if why is None else escape(f"no: {why}"),
                ", ".join(real.requires) or "-",
            )
    console.print(table)
    exps = experiments()
    title = "experiments (neurotwin sweep NAME)"
    table = Table("experiment", "model", "what it shows", title=title)
    for name, exp in exps.items():
        if name.endswith("-quick") and name.removesuffix("-quick") in exps:
            continue
        quick = " (also NAME-quick, or --quick)" if f"{name}-quick" in exps else ""
        table.add_row(name, exp.model, escape(_first_sentence(exp.description) + quick))
    console.print(table)


def _first_sentence(text: str, limit: int = 110) -> str:
    import re

    text = " ".join(text.split())
    text = re.split(r"(?<!\bal)(?<![A-Z])\.\s+(?=[A-Z(])|:\s", text, maxsplit=1)[0].rstrip(".")
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit - 4)] + " ..."


@app.command("params")
def params_(
    model: str,
    realization: Annotated[
        str | None, typer.Option(help="only this realization's options (default: all)")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Every parameter of MODEL and option of its realizations: default, unit, allowed
    values and meaning (set them with ``--set NAME=VALUE``; a value may carry a unit,
    ``--set tau_m=20ms``)."""
    from .describe import describe

    d = describe(model, realization)
    if json_:
        _print_json(d.to_dict())
        return
    print_description(d)


def print_description(d) -> None:
    """:class:`neurotwin.describe.Description` as rich tables."""
    from .describe import default_text

    console.print(f"[bold]{escape(d.model)}[/bold]: {escape(d.summary)}", highlight=False)
    for title, fields in d.sections():
        table = Table("name", "default", "unit", "allowed", "meaning", title=escape(title))
        for f in fields:
            table.add_row(
                f.name, escape(default_text(f)), escape(f.unit or "-"), escape(f.allowed),
                escape(f.meaning),
            )  # fmt: skip
        console.print(table)
    table = Table("observable", "unit", title="observables (unit ?: not declared yet)")
    for o in d.observables:
        table.add_row(escape(o.name + (" (key)" if o.key else "")), escape(o.unit or "-"))
    console.print(table)


def with_units(model: str, sets: dict[str, Any]) -> dict[str, Any]:
    """``sets`` with quantities converted and unit-less names resolved against every field
    of MODEL's parameters and of its realizations' options (``tau_rc=10ms`` ->
    ``tau_rc_s=0.01``), for commands that pass the values on by name."""
    from .registry import get_model
    from .units import resolve

    spec = get_model(model)
    return resolve([spec.params, *(r.options for r in spec.realizations.values())], sets)


class _RunCommand(typer.core.TyperCommand):
    """``run MODEL --help``: the usual help, then MODEL's parameters (and with
    ``--realization R`` only R's options)."""

    #: options of ``run`` that take a value (so their value is not MODEL)
    VALUED = ("--realization", "--set", "--seed", "--out", "--patterns", "--weights")

    def parse_args(self, ctx, args):
        model = realization = None
        it = iter(args)
        for tok in it:
            if tok in self.VALUED:
                value = next(it, None)
                if tok == "--realization":
                    realization = value
            elif tok.startswith("--realization="):
                realization = tok.partition("=")[2]
            elif not tok.startswith("-") and model is None:
                model = tok
        ctx.meta["neurotwin.help_for"] = (model, realization)
        return super().parse_args(ctx, args)

    def format_help(self, ctx, formatter):
        super().format_help(ctx, formatter)
        model, realization = ctx.meta.get("neurotwin.help_for", (None, None))
        if model is None:
            return
        from .describe import describe

        try:
            d = describe(model, realization)
        except NeurotwinError as exc:
            console.print(escape(f"(no parameters to show: {exc})"), highlight=False)
            return
        print_description(d)


@app.command(cls=_RunCommand)
def run(
    model: str,
    realization: Annotated[str, typer.Option(help="realization name")] = "reference",
    set_: SetOpt = None,
    seed: SeedOpt = 0,
    out: Annotated[Path | None, typer.Option(help="write the Result here (netCDF)")] = None,
    json_: JsonOpt = False,
    patterns: Annotated[
        Path | None,
        typer.Option(help="your own patterns, a (P, N) .npy array of +1/-1 (e.g. images)"),
    ] = None,
    weights: Annotated[
        Path | None, typer.Option(help="your own weights, an .npz of named arrays")
    ] = None,
    step_budget: StepBudgetOpt = None,
) -> None:
    """Run one realization of MODEL and print its scalar observables (``run MODEL --help``
    lists MODEL's parameters; ``--set tau_m=20ms`` sets one with a unit)."""
    from .harness import execute, prepare

    _progress(json_)
    try:
        sets = parse_sets(set_)
        given = load_arrays(weights, patterns)
        if out is not None:
            check_writable(out)  # before the simulation, not after it
            sets = _standalone_builds_under(
                sets, out.parent / f"{out.stem}-build", model, [realization]
            )
        plan = prepare(
            model, realization, None, seed, weights=given, step_budget=step_budget, **sets
        )
        result = execute(plan)
    except NeurotwinError as exc:
        _fail(exc)
    if out is not None:
        result.save(out)
    scalars = {k: _jsonable(v) for k, v in result.scalars().items()}
    if json_:
        payload = {
            "model": result.model,
            "realization": result.realization,
            "params": result.params,
            "seed": result.seed,
            "observables": scalars,
        }
        _print_json(payload)
        return
    table = Table("observable", "value", title=f"{model} / {realization}, seed {seed}")
    for k, v in scalars.items():
        table.add_row(escape(k), escape(f"{v:.4g}" if isinstance(v, float) else str(v)))
    console.print(table)
    if out is not None:
        console.print(f"result written to {out}")


@app.command()
def compare(
    model: str,
    set_: SetOpt = None,
    seed: SeedOpt = 0,
    realization: Annotated[
        list[str] | None, typer.Option(help="realizations to compare (default: the model's rows)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="output folder")] = None,
    json_: JsonOpt = False,
    step_budget: StepBudgetOpt = None,
) -> None:
    """Run MODEL through every realization on the same params, inputs and seed."""
    from .compare import compare as do_compare
    from .results import write_text

    _progress(json_)
    plotting = _plotting()
    try:
        sets = parse_sets(set_)
        out = out or Path("neurotwin-out") / compare_folder(model, seed, sets, realization)
        check_writable(out, folder=True)
        sets = _standalone_builds_under(sets, out, model, realization)
        comp = do_compare(model, None, seed, realization, step_budget=step_budget, **sets)
    except NeurotwinError as exc:
        _fail(exc)
    for label, res in comp.results.items():
        res.save(out / f"{label}.nc")
    payload = comp.to_json()
    write_text(out / "comparison.json", json_text(payload, indent=2))
    figure = plotting.comparison(comp, out / "comparison.png")
    if json_:
        _print_json(payload)
        return
    _print_comparison(comp)
    console.print(f"results (netCDF), comparison.json and figure written to {out}/ ({figure.name})")


def compare_folder(
    model: str, seed: int, sets: dict[str, Any], realizations: list[str] | None
) -> str:
    """``compare-MODEL-seedS``, then the values the user set (``-n_units=40``), or a short
    hash of them when they would make a long or unsafe name, so a comparison with other
    values never overwrites this one."""
    import hashlib

    name = f"compare-{model}-seed{seed}"
    chosen = {**sets, **({"realization": sorted(realizations)} if realizations else {})}
    if not chosen:
        return name
    text = "-".join(f"{k}={json_text(v)}" for k, v in sorted(chosen.items()))
    if len(text) <= 48 and all(c.isalnum() or c in "-_=.," for c in text):
        return f"{name}-{text}"
    digest = hashlib.sha256(json_text(chosen, sort_keys=True).encode()).hexdigest()[:10]
    return f"{name}-{digest}"


def _progress(json_: bool) -> None:
    """Progress bars on stderr where it is a terminal, none with ``--json``."""
    from . import progress

    progress.set_enabled(False if json_ else None)


def _plotting():
    """:mod:`neurotwin.plotting` on a non-interactive backend: the command line draws
    files only (importing plotting itself leaves the backend alone)."""
    import matplotlib

    matplotlib.use("Agg")
    from . import plotting

    return plotting


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _columns_table(title: str, first: str, data: dict[str, dict[str, Any]]) -> Table:
    """One column per key of ``data``, one row per name found in any of its dicts."""
    labels = list(data)
    names = sorted({k for row in data.values() for k in row})
    table = Table(first, *labels, title=title)
    for name in names:
        table.add_row(escape(name), *[escape(_fmt(data[label].get(name))) for label in labels])
    return table


def _print_comparison(comp) -> None:
    """Observables as rows and realizations as columns, so it fits a terminal."""
    console.print(_columns_table(f"{comp.model}, seed {comp.seed}", "observable", comp.table()))
    console.print(f"params: {comp.params}", highlight=False)
    cost = comp.cost()
    console.print(_columns_table("cost per realization", "cost", cost))
    if comp.note:
        console.print(f"[yellow]{escape(comp.note)}[/yellow]")
    agreement = comp.agreement()
    if agreement:
        for label, row in comp.verdicts().items():
            for name, v in row.items():
                if name != "verdict":
                    agreement[label][f"tolerance_{name}"] = v["tolerance"]
            agreement[label]["verdict"] = row["verdict"].upper()
        console.print(_columns_table(f"agreement with {comp.baseline}", "metric", agreement))
    for label, why in comp.skipped.items():
        console.print(f"[yellow]skipped {escape(label)}:[/yellow] {escape(why)}")


@app.command()
def sweep(
    experiment: str,
    out: Annotated[Path | None, typer.Option(help="output folder (resumes if it exists)")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="address of a running Dask scheduler, tcp://host:port (Dask exchanges "
            "pickled tasks, so give only a cluster you trust), or processes, threads, "
            "synchronous; default: the first points run here, then the rest here or on 2 "
            "local workers, whichever is estimated faster (the output says which)"
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="local Dask workers, used even for small points (batched)"),
    ] = None,
    quick: Annotated[bool, typer.Option(help="the experiment's reduced grid")] = False,
    skip_unavailable: Annotated[
        bool, typer.Option(help="leave out realizations whose backend is not installed")
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option(help="recompute the points stored as failed")
    ] = False,
    worker_timeout: Annotated[
        float,
        typer.Option(help="seconds the cluster may have no worker before the sweep stops"),
    ] = 300.0,
) -> None:
    """Run a named experiment's parameter grid on Dask; re-running resumes."""
    from .progress import enabled as progress_enabled
    from .sweep import available_part, get_experiment, run_sweep

    try:
        exp = get_experiment(experiment, quick=quick)
        if skip_unavailable:
            exp, dropped = available_part(exp)
            for label, why in dropped.items():
                console.print(f"[yellow]skipped {escape(label)}:[/yellow] {escape(why)}")
        out = out or Path("neurotwin-out") / exp.name
        _progress(False)
        _plotting()
        run_sweep(
            exp,
            out,
            scheduler=scheduler,
            workers=workers,
            retry_failed=retry_failed,
            worker_timeout_s=worker_timeout,
            progress=progress_enabled(),
        )
    except NeurotwinError as exc:
        _fail(exc)
    console.print(f"data, figure and summary written to {out}/")


@app.command()
def deploy(
    model: str,
    target: Annotated[str, typer.Option(help="deployment target")] = "loihi-emulator",
    set_: SetOpt = None,
    seed: SeedOpt = 0,
    json_: JsonOpt = False,
    step_budget: StepBudgetOpt = None,
) -> None:
    """Map MODEL onto a neuromorphic target: resources, quantization, accuracy, cost."""
    from .deploy import deploy as do_deploy
    from .deploy import report_rows

    try:
        sets = with_units(model, parse_sets(set_))
        report = do_deploy(model, target, None, seed, step_budget=step_budget, **sets)
    except NeurotwinError as exc:
        _fail(exc)
    if json_:
        _print_json(report)
        return
    table = Table("", "value", title=f"{model} on {target}, seed {seed}")
    for name, value in report_rows(report):
        table.add_row(escape(name), escape(value))
    console.print(table)


@app.command()
def export(
    model: str,
    format_: Annotated[str, typer.Option("--format", help="exchange format: nir")] = "nir",
    out: Annotated[Path, typer.Option(help="file to write")] = Path("model.nir"),
    set_: SetOpt = None,
    seed: SeedOpt = 0,
    check: Annotated[
        str | None,
        typer.Option(
            help="also run the graph in a NIR client (snntorch, norse, brian2) and compare "
            "with neurotwin's own run (needs the [nir] extra)"
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Write MODEL's spiking network in an exchange format (NIR)."""
    from .export import export as do_export

    sets = parse_sets(set_)
    clients = None
    if check is not None:
        # NIR clients live beside the realizations, registered as a tool, loaded only here
        from .registry import get_tool

        clients = get_tool("nir-clients")
        # every refusal of the check (client missing, nodes it cannot load) before writing
        clients.preflight(model, check, None, seed, **sets)
    path = do_export(model, out, format_, None, seed, **sets)
    if clients is None:
        console.print(f"{format_.upper()} graph written to {path}")
        return
    report = clients.check(model, check, None, seed, **sets)
    report["file"] = str(path)
    if json_:
        _print_json(report)
    else:
        table = Table("observable", "neurotwin", check, "difference", "tolerance", "agree")
        table.title = f"{model}: {path} in {check} (dt {report['client_dt_s']} s)"
        for name, row in report["observables"].items():
            table.add_row(
                name, *(_fmt(row[k]) for k in ("neurotwin", check, "difference", "tolerance")),
                str(row["agree"]),
            )  # fmt: skip
        console.print(table)
    if not report["agree"]:
        raise typer.Exit(1)


@app.command("import")
def import_(
    file: Path,
    inputs: Annotated[
        Path | None, typer.Option("--input", help="input array (steps, n) as .npy")
    ] = None,
    steps: Annotated[int | None, typer.Option(help="steps to run (default: the input's)")] = None,
    dt_s: Annotated[float, typer.Option("--dt-s", help="Brian2 time step, seconds")] = 1e-4,
    spike_area: Annotated[
        float | None,
        typer.Option(help="area of a spike (1: NIR; dt of a discrete client, e.g. 1e-4)"),
    ] = None,
    method: Annotated[str, typer.Option(help="euler or exact")] = "euler",
    device: Annotated[str, typer.Option(help="runtime or cpp_standalone")] = "runtime",
    out: Annotated[Path | None, typer.Option(help="save the Result (.nc)")] = None,
    json_: JsonOpt = False,
) -> None:
    """Run any NIR graph (FILE.nir) in Brian2 and print its spike counts."""
    from .registry import get_tool

    nir_import = get_tool("nir-import")
    graph = nir_import.read(file)
    x = None
    if inputs is not None:
        try:
            x = np.load(inputs, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"--input: cannot read {str(inputs)!r} as a .npy array ({exc})"
            ) from None
    if out is not None:
        check_writable(out)
    area = spike_area
    if area is None:
        area = float(getattr(graph, "metadata", {}).get("spike_area", 1.0))
    res = nir_import.run_graph(
        graph, x, dt_s=dt_s, n_steps=steps, spike_area=area, method=method, device=device
    )
    if out is not None:
        res.save(out)
    summary = {
        "file": str(file),
        "steps": int(res.params["n_steps"]),
        "dt_s": dt_s,
        "spike_area": area,
        "spikes": {k: int(len(v[0])) for k, v in res.spikes.items()},
        "outputs": {k: float(np.sum(v)) for k, v in res.traces.items() if "." not in k},
    }
    if json_:
        _print_json(summary)
        return
    table = Table("node", "spikes", title=f"{file} in Brian2 ({summary['steps']} steps)")
    for k, v in summary["spikes"].items():
        table.add_row(escape(k), str(v))
    console.print(table)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        # the process ends here: Python's final collections would walk every object
        # (0.3-0.5 s once Brian2 is imported) only for the system to free them anyway
        gc.freeze()


if __name__ == "__main__":
    main()
