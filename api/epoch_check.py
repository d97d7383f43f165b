"""Checking an epoch (auditor, public) and one account's inclusion (exchange exports, user verifies).

The checks themselves are the trust base's (verifier/exchange/); this module reads the
files, recomputes the user's leaf and margin from their opening (circuits/margin), and
puts what was proven into words and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from zkmargin.circuits.exchange.tree import TreeFile
from zkmargin.circuits.files import write_json
from zkmargin.circuits.margin.calculator import MarginResult, evaluate
from zkmargin.circuits.margin.opening import Opening
from zkmargin.verifier.exchange import epoch as layout
from zkmargin.verifier.exchange.inclusion import Inclusion, check_inclusion, read_parameters
from zkmargin.verifier.exchange.manifest import Manifest, parse_manifest, read_signed_manifest
from zkmargin.verifier.files import FormatError, parse_json, read_json
from zkmargin.verifier.formats import VerifyingKey
from zkmargin.verifier.kinds import MarginParameters



def _real(value: int, scale: int) -> str:
    return f"{float(Fraction(value, scale)):.2f}"


def real_scenarios(parameters: MarginParameters) -> int:
    """Scenario slots past the real ones repeat the first (risk_arrays padding)."""
    names, count = parameters.scenarios, len(parameters.scenarios)
    while count > 1 and names[count - 1] == names[0]:
        count -= 1
    return count


def epoch_summary(manifest: Manifest, parameters: MarginParameters) -> dict:
    """The opened totals by name, in real units: quantities and amounts at 1/scale, money at 1/scale^2."""
    t, s, s2 = dict(zip(manifest.total_names, manifest.totals)), parameters.scale, parameters.scale**2
    instruments = [(i, name) for i, name in enumerate(parameters.instruments) if name]
    return {
        "epoch": manifest.epoch,
        "accounts": t["accounts"],
        "batches": len(manifest.batches),
        "tiers": sorted(manifest.tiers),
        "threshold": manifest.threshold / 10_000,
        "tree_root": str(manifest.tree_root),
        "under_margined_accounts": t["shortfall_accounts"],
        "total_shortfall": _real(t["shortfall_sum"], s2),
        "requirement": _real(t["requirement"], s2),
        "available": _real(t["available"], s2),
        "collateral": {a: _real(t[f"collateral[{j}]"], s) for j, a in enumerate(parameters.collateral_assets) if a},
        "open_long": {n: _real(t[f"long[{i}]"], s) for i, n in instruments if t[f"long[{i}]"]},
        "open_short": {n: _real(t[f"short[{i}]"], s) for i, n in instruments if t[f"short[{i}]"]},
        "stress_loss": {parameters.scenarios[k]: _real(t[f"loss[{k}]"], s2) for k in range(real_scenarios(parameters))},
    }


def verify_epoch(folder: Path, exchange_key: Path) -> dict:
    """Every check of verifier/exchange/epoch.py; raises EpochInvalid or FormatError, else the summary."""
    manifest, parameters = layout.verify_epoch(folder, exchange_key.read_bytes())
    return epoch_summary(manifest, parameters)


def _find(openings: Path, account: str) -> tuple[int, dict]:
    with open(openings, "rb") as handle:
        for index, line in enumerate(handle):
            obj = parse_json(line, f"{openings} line {index + 1}")
            if obj.get("account") == account:
                return index, obj
    raise FormatError(f"account {account!r} is not in this epoch's book")


def export_inclusion(folder: Path, account: str, out: Path) -> Inclusion:
    """The inclusion file of one account (private: it holds the account's positions)."""
    manifest = parse_manifest(read_json(folder / layout.MANIFEST, limit=64 << 20).get("manifest"))
    from .epoch import OPENINGS, PRIVATE  # the exchange's side; verifying never imports the prover

    index, opening = _find(folder / PRIVATE / OPENINGS, account)
    with TreeFile(folder / layout.TREE) as tree:
        path = tree.path(index)
        b = index >> tree.shape.subtree_depth
    batch = manifest.batches[b]
    key = layout.key_path(folder, batch.tier)
    inclusion = Inclusion(
        manifest.epoch, opening, index, b, path.batch_path, path.top_path,
        layout.read_proof(layout.batch_folder(folder, b) / "proof.json")[1],
        tuple(batch.preimage(manifest, b)),
        VerifyingKey.from_json(read_json(key, limit=1 << 20), str(key)),
        read_parameters(read_json(folder / layout.PARAMETERS, limit=16 << 20), layout.PARAMETERS),
    )
    write_json(out, inclusion.to_json(), private=True)
    return inclusion


@dataclass(frozen=True)
class InclusionVerdict:
    account: str
    manifest: Manifest
    margin: MarginResult
    summary: dict


def verify_inclusion(file: Path, manifest_file: Path, exchange_key: Path) -> InclusionVerdict:
    """The user's check, offline: their leaf from their opening, both paths, the batch proof,
    its public hash and the manifest signature; then their margin under the epoch's parameters."""
    manifest = read_signed_manifest(read_json(manifest_file, limit=64 << 20), exchange_key.read_bytes())
    inclusion = Inclusion.from_json(read_json(file, limit=16 << 20), str(file))
    opening = Opening.from_json(inclusion.opening, f"{file}: opening")
    fixed = opening.fixed(inclusion.parameters, f"{file}: opening")
    check_inclusion(inclusion, fixed.commitment(), manifest)
    margin = evaluate(inclusion.parameters, fixed, manifest.threshold, real_scenarios(inclusion.parameters))
    return InclusionVerdict(opening.account, manifest, margin, epoch_summary(manifest, inclusion.parameters))


__all__ = ["InclusionVerdict", "epoch_summary", "export_inclusion", "verify_epoch", "verify_inclusion"]
