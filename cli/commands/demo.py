"""zkmargin demo: the bundled inter-protocol portfolio, end to end."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from zkmargin import api
from zkmargin.prover import DEVELOPMENT_ONLY

from ..errors import EXIT_INVALID, fail, friendly_errors
from ..options import engine_option, json_option
from ..output import emit, progress_reporter
from ..report import margin_json, margin_lines


@click.command("demo")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the keys and bundle here [default: a temporary folder].",
)
@click.option(
    "--model", default=api.DEFAULT_MODEL, show_default=True, help=f"Risk model preset ({', '.join(api.PRESETS)})."
)
@engine_option
@json_option
@friendly_errors
def demo(workdir: Path | None, model: str, engine_name: str | None, as_json: bool) -> None:
    """The bundled inter-protocol portfolio: its margin and netting benefit, then setup, prove and verify."""
    say = (lambda line: None) if as_json else click.echo
    case = api.load_case(model=model, capacity=api.DEFAULT_CAPACITY)
    say("zkmargin demo: ETH and BTC options on deribit, perpetuals on hyperliquid, lending and spot on aave\n")
    for line in margin_lines(case):
        say(line)
    case.require_solvent()
    with tempfile.TemporaryDirectory(prefix="zkmargin-demo-") as tmp:
        folder = workdir or Path(tmp)
        say(f"\n1/3 setup ({DEVELOPMENT_ONLY})")
        keys = api.setup_keys(api.DEFAULT_CAPACITY, folder, engine_name, progress_reporter(as_json, "setup"))
        say("2/3 prove")
        started = time.perf_counter()
        record = api.prove_case(
            case, keys.zkey, folder / "bundle", None, engine_name, progress_reporter(as_json, "prove")
        )
        prove_seconds = time.perf_counter() - started
        say("3/3 verify the bundle from disk, as a user would")
        started = time.perf_counter()
        verdict = api.verify_bundle(record.bundle)
        verify_seconds = time.perf_counter() - started
        emit(
            as_json,
            {
                "valid": verdict.valid,
                "statement": verdict.reason,
                "engine": api.engine(engine_name).name,
                "constraints": keys.constraints,
                "margin": margin_json(case),
                "seconds": {
                    "setup": round(keys.seconds, 2),
                    "prove": round(prove_seconds, 2),
                    "verify": round(verify_seconds, 2),
                },
                "workdir": str(workdir) if workdir else None,
            },
            [
                f"\nproof is {'VALID' if verdict.valid else 'INVALID'}: {verdict.reason}",
                f"{keys.constraints} constraints; setup {keys.seconds:.1f} s, prove {prove_seconds:.1f} s, "
                f"verify {verify_seconds:.1f} s",
            ]
            + ([f"keys and bundle kept in {workdir}/"] if workdir else []),
        )
    if not verdict.valid:
        fail("the demo proof did not verify", EXIT_INVALID)
