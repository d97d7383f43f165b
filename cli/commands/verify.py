"""zkmargin verify: a bundle's proof and statement, and optionally its parameters and one's own opening."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from zkmargin import api
from zkmargin.verifier.bundle import key_fingerprint
from zkmargin.verifier.statement import StatementMismatch

from ..errors import EXIT_INVALID, friendly_errors
from ..options import json_option, proof_option, public_option
from ..output import emit
from ..report import exact, requirement_lines


@click.command("verify")
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@click.option(
    "--vk",
    "key_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="verification_key.json (overrides the bundle's; use the one the prover published).",
)
@proof_option
@public_option
@click.option(
    "--market",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also check the published risk arrays against this market snapshot ...",
)
@click.option(
    "--model", default=None, help=f"... under this risk model (a preset: {', '.join(api.PRESETS)}, or a file)."
)
@click.option(
    "--risk-arrays",
    "risk_arrays",
    type=click.Path(dir_okay=False, path_type=Path),
    help="... or against these published risk arrays.",
)
@click.option(
    "--opening",
    "opening_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your commitment opening: check the bundle is about your portfolio and show your margin.",
)
@json_option
@friendly_errors
def verify(bundle, key_path, proof_path, public_path, market, model, risk_arrays, opening_path, as_json) -> None:
    """Check a proof bundle folder, or snarkjs files given with --vk, --proof, --public.

    A bundle needs its statement.json: the statement is read strictly, its digest and
    timestamp recomputed, its key fingerprint compared with the key, and the proof's
    public inputs required to be the statement's. Loose files without a folder prove only
    that the proof verifies for those numbers under that key.

    Exit code 0 when valid, 1 when not, 2 when the files are unusable. Compare the printed
    key fingerprint with the one the prover published: a proof is only as good as its key.
    """
    loaded = api.load_bundle(bundle, proof=proof_path, public=public_path, key=key_path)
    verdict = loaded.check()
    statement, notes, data = verdict.statement, [], {}
    if (market or risk_arrays or opening_path) and statement is None:
        raise api.FormatError("--market, --risk-arrays and --opening need a bundle folder with its statement.json")
    if verdict.valid and (market or risk_arrays):
        if not market:
            raise api.FormatError("--risk-arrays needs --market too (for collateral prices and instrument venues)")
        model_name = model or api.DEFAULT_MODEL
        difference = api.check_parameters(statement, market, model_name, risk_arrays)
        if difference:
            verdict = replace(
                verdict,
                valid=False,
                reason=f"the published parameters are not those of {market} under {model_name}: {difference}",
            )
        else:
            notes.append(f"risk arrays, prices and haircuts match {market} under {risk_arrays or model_name}")
    if verdict.valid and opening_path:
        try:
            mine = api.check_opening(statement, api.read_opening(opening_path))
        except StatementMismatch as exc:
            verdict = replace(verdict, valid=False, reason=str(exc))
        else:
            data["your_margin"] = {
                "requirement": exact(mine.real(mine.requirement)),
                "available": exact(mine.real(mine.available)),
                "solvent": mine.solvent,
            }
            notes += [
                f"{opening_path} opens this bundle's commitment: the proof is about your portfolio",
                "your margin under the bundle's parameters:",
            ]
            notes += requirement_lines(mine)
    fingerprint = key_fingerprint(loaded.vk)
    origin = api.read_key_origin(bundle) if bundle is not None and key_path is None else None
    if origin is not None:
        data["key_origin"] = origin.to_json()
        notes.insert(0, origin.describe())
    if verdict.valid and statement is not None:
        epoch = f"epoch {statement.public['epoch']} ({statement.timestamp}), " if "epoch" in statement.public else ""
        notes.append(f"still yours to compare: the {epoch}key fingerprint {fingerprint} with what the prover published")
    emit(
        as_json,
        {
            "valid": verdict.valid,
            "reason": verdict.reason,
            "key_fingerprint": fingerprint,
            "public": [str(v) for v in loaded.public],
            "statement": statement.kind.name if statement else None,
            "notes": notes,
            **data,
        },
        [f"proof is {'VALID' if verdict.valid else 'INVALID'} (verification key fingerprint {fingerprint})"]
        + (
            [f"proven: {verdict.reason}"]
            if verdict.valid and statement
            else [f"checked: {verdict.reason}"]
            if verdict.valid
            else [f"reason: {verdict.reason}"]
        )
        + notes,
    )
    if not verdict.valid:
        raise SystemExit(EXIT_INVALID)
