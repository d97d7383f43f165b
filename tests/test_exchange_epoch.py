"""Exchange mode end to end on a tiny book: prove an epoch, verify it, export and verify inclusion
files, and every attack of issue 14 refused. One epoch (7 accounts, B = 2: four batch proofs,
the last padded) is proven once per module; attacks work on copies of its folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from zkmargin import api
from zkmargin.api.epoch import prove_epoch
from zkmargin.api.epoch_check import export_inclusion, verify_epoch, verify_inclusion
from zkmargin.api.runners import InProcessRunner
from zkmargin.verifier.exchange.manifest import EpochInvalid, account_id, parse_manifest
from zkmargin.verifier.files import FormatError

DATA = Path(__file__).parent / "data"
MARKET = DATA / "tiny_market.json"
CAPACITY = api.MarginCapacity(2, 1, 10)
CALL, PERP = "deribit:ETH-3000-C", "hyperliquid:ETH-PERP"


def _account(name: str, call: str, perp: str, usdc: str) -> dict:
    positions = [{"instrument": i, "quantity": q} for i, q in ((CALL, call), (PERP, perp)) if q != "0"]
    return {"account": name, "positions": positions, "collateral": [{"venue": "deribit", "asset": "USDC",
                                                                    "amount": usdc}]}


ACCOUNTS = [
    _account("alice", "-10", "5.5", "20000"),
    _account("bob", "0", "2", "5000"),
    _account("carol", "3", "-1", "800"),
    _account("dave", "-10", "0", "100"),  # under-margined: a shortfall
    _account("erin", "-20", "0", "0"),  # negative equity: short calls and nothing else
    _account("frank", "0", "0", "12345.5"),  # collateral only
    _account("grace", "1", "1", "9000"),
]


class Counting(InProcessRunner):
    def __init__(self):
        self.jobs = 0

    def run(self, task, jobs, on_result):
        self.jobs += len(jobs)
        super().run(task, jobs, on_result)


@pytest.fixture(scope="module")
def epoch(tmp_path_factory):
    root = tmp_path_factory.mktemp("exchange")
    book = root / "book.jsonl"
    book.write_text("".join(json.dumps(a) + "\n" for a in ACCOUNTS))
    keys = api.new_exchange_keys(root / "exchange")
    runner = Counting()
    record = prove_epoch(book, root / "epoch", keys.private_key, MARKET, "occ10", CAPACITY, 2, root / "keys",
                         runner=runner)
    return root, keys, record, runner


def _order():
    return sorted((a["account"] for a in ACCOUNTS), key=account_id)


def test_an_epoch_proves_and_verifies(epoch):
    root, keys, record, runner = epoch
    assert runner.jobs == 4 and record.accounts == 7 and record.skipped == 0
    summary = verify_epoch(root / "epoch", keys.public_key)
    assert summary["accounts"] == 7 and summary["batches"] == 4
    assert summary["under_margined_accounts"] == 2 and float(summary["total_shortfall"]) > 0
    assert float(summary["collateral"]["USDC"]) == pytest.approx(20000 + 5000 + 800 + 100 + 12345.5 + 9000)
    assert set(summary["stress_loss"]) and summary["open_short"][CALL] == "40.00"


def test_a_rerun_resumes_without_proving_again(epoch):
    root, keys, record, _ = epoch
    runner = Counting()
    again = prove_epoch(root / "book.jsonl", root / "epoch", keys.private_key, MARKET, "occ10", CAPACITY, 2,
                        root / "keys", runner=runner)
    assert runner.jobs == 0 and again.skipped == 4 and again.manifest.tree_root == record.manifest.tree_root


def test_each_commitment_is_computed_once_and_the_manifest_is_unchanged(epoch, tmp_path, monkeypatch):
    """A book larger than the commitment cache: the tree and the manifest reuse each batch's
    leaves and fields from when its witness was made, instead of a Python sponge per account
    twice more. Same secret, same manifest (but for each proof's own randomness)."""
    from functools import lru_cache

    from zkmargin.circuits.exchange import batch

    root, keys, record, _ = epoch
    computed = []

    @lru_cache(maxsize=2)  # one batch (B = 2) fits, the book does not
    def counting(portfolio):
        computed.append(portfolio.account)
        return portfolio.commitment()

    monkeypatch.setattr(batch, "_commitment", counting)
    out = tmp_path / "epoch"
    (out / "private").mkdir(parents=True)
    shutil.copy(root / "epoch" / "private" / "secret", out / "private" / "secret")
    again = prove_epoch(root / "book.jsonl", out, keys.private_key, MARKET, "occ10", CAPACITY, 2, root / "keys")
    assert len(computed) == len(set(computed)) == len(ACCOUNTS)

    def unproven(m):
        return replace(m, batches=tuple(replace(b, proof_sha256="") for b in m.batches))

    assert unproven(again.manifest) == unproven(record.manifest)
    verify_epoch(out, keys.public_key)


@pytest.mark.parametrize("name", ["alice", "erin", _order()[-1]])  # the last is alone in the padded batch
def test_inclusion_files_verify_and_show_the_margin(epoch, tmp_path, name):
    root, keys, _, _ = epoch
    export_inclusion(root / "epoch", name, tmp_path / "inclusion.json")
    verdict = verify_inclusion(tmp_path / "inclusion.json", root / "epoch" / "manifest.json", keys.public_key)
    assert verdict.account == name and verdict.summary["accounts"] == 7
    assert verdict.margin.solvent == (name not in ("dave", "erin"))


def _copy(root: Path, tmp_path: Path) -> Path:
    shutil.copytree(root / "epoch", tmp_path / "epoch")
    return tmp_path / "epoch"


def _resign(folder: Path, keys, edit) -> None:
    signed = json.loads((folder / "manifest.json").read_text())
    manifest = edit(parse_manifest(signed["manifest"]))
    (folder / "manifest.json").write_text(json.dumps(api.sign_manifest(manifest, keys.private_key)))


def test_an_altered_opening_or_a_left_out_account_fails_inclusion(epoch, tmp_path):
    root, keys, _, _ = epoch
    export_inclusion(root / "epoch", "bob", tmp_path / "bob.json")
    raw = json.loads((tmp_path / "bob.json").read_text())
    raw["opening"]["collateral"]["USDC"] = str(int(raw["opening"]["collateral"]["USDC"]) + 1)
    (tmp_path / "bob.json").write_text(json.dumps(raw))
    with pytest.raises(EpochInvalid, match="not in that batch"):
        verify_inclusion(tmp_path / "bob.json", root / "epoch" / "manifest.json", keys.public_key)
    raw["opening"]["account"] = "mallory"  # an account never put in the book
    (tmp_path / "bob.json").write_text(json.dumps(raw))
    with pytest.raises(EpochInvalid):
        verify_inclusion(tmp_path / "bob.json", root / "epoch" / "manifest.json", keys.public_key)
    with pytest.raises(FormatError, match="not in this epoch"):
        export_inclusion(root / "epoch", "mallory", tmp_path / "m.json")


def test_a_manifest_edited_after_signing_fails(epoch, tmp_path):
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    signed = json.loads((folder / "manifest.json").read_text())
    signed["manifest"]["totals"][0] = "1"
    (folder / "manifest.json").write_text(json.dumps(signed))
    with pytest.raises(EpochInvalid, match="signature"):
        verify_epoch(folder, keys.public_key)


@pytest.mark.parametrize("edit, message", [
    (lambda m: replace(m, totals=(m.totals[0] + 1, *m.totals[1:])), "opened totals"),  # totals opened otherwise
    (lambda m: replace(m, batches=(*m.batches[:1], replace(m.batches[1], totals_before=m.batches[0].totals_before),
                                   *m.batches[2:])), "totals_before"),  # T_before not the previous T_after
    (lambda m: replace(m, batches=(m.batches[1], m.batches[0], *m.batches[2:])), "totals_before|rise"),  # order
    (lambda m: replace(m, epoch=m.epoch + 1), "public_hash"),  # proofs moved to another epoch
])
def test_chain_attacks_on_a_re_signed_manifest_fail(epoch, tmp_path, edit, message):
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    _resign(folder, keys, edit)
    with pytest.raises(EpochInvalid, match=message):
        verify_epoch(folder, keys.public_key)


def _swap_names(m, a: str, b: str):
    names = list(m.total_names)
    i, j = names.index(a), names.index(b)
    names[i], names[j] = names[j], names[i]
    return replace(m, total_names=tuple(names))


@pytest.mark.parametrize("a, b", [("shortfall_sum", "loss[4]"), ("shortfall_accounts", "long[0]"),
                                  ("requirement", "available")])
def test_totals_relabelled_on_a_re_signed_manifest_fail_epoch_and_inclusion_checks(epoch, tmp_path, a, b):
    """The commitment binds the totals by position: a manifest that opens the same values under
    swapped names (an under-margined count shown as zero, say) must not verify anywhere."""
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    _resign(folder, keys, lambda m: _swap_names(m, a, b))
    with pytest.raises(EpochInvalid, match="total_names"):
        verify_epoch(folder, keys.public_key)
    export_inclusion(root / "epoch", "bob", tmp_path / "bob.json")
    with pytest.raises(EpochInvalid, match="total_names"):
        verify_inclusion(tmp_path / "bob.json", folder / "manifest.json", keys.public_key)


def test_inclusion_refuses_totals_that_do_not_open_the_last_commitment(epoch, tmp_path):
    """inclusion verify checks no batch but the user's, yet the totals it shows must at least open
    the chain's end: a re-signed manifest claiming no shortfall is refused."""
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)

    def no_shortfall(m):
        totals = list(m.totals)
        for name in ("shortfall_accounts", "shortfall_sum"):
            totals[m.total_names.index(name)] = 0
        return replace(m, totals=tuple(totals))

    _resign(folder, keys, no_shortfall)
    export_inclusion(root / "epoch", "bob", tmp_path / "bob.json")
    with pytest.raises(EpochInvalid, match="opened totals"):
        verify_inclusion(tmp_path / "bob.json", folder / "manifest.json", keys.public_key)


@pytest.mark.parametrize("tier", [["x"], {"x": 1}, 7])
def test_a_manifest_whose_batch_tier_is_not_a_name_is_a_format_error(epoch, tmp_path, tier):
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    signed = json.loads((folder / "manifest.json").read_text())
    signed["manifest"]["batches"][0]["tier"] = tier
    (folder / "manifest.json").write_text(json.dumps(signed))
    with pytest.raises(FormatError, match="tier"):
        verify_epoch(folder, keys.public_key)


def test_a_batch_proof_swapped_between_positions_is_named(epoch, tmp_path):
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    first, second = folder / "batches" / "0", folder / "batches" / "2"
    for name in ("proof.json",):
        a, b = (first / name).read_bytes(), (second / name).read_bytes()
        (first / name).write_bytes(b)
        (second / name).write_bytes(a)

    def rehash(m):
        import hashlib

        shas = [hashlib.sha256((folder / "batches" / str(i) / "proof.json").read_bytes()).hexdigest()
                for i in range(len(m.batches))]
        return replace(m, batches=tuple(replace(b, proof_sha256=s) for b, s in zip(m.batches, shas)))

    _resign(folder, keys, rehash)  # even an exchange that re-signs cannot move a proof
    with pytest.raises(EpochInvalid, match="batch 0"):
        verify_epoch(folder, keys.public_key)


@pytest.mark.interop
def test_snarkjs_verifies_a_batch_proof(epoch):
    from interop.oracle import SNARKJS, require_snarkjs

    require_snarkjs()
    folder = epoch[0] / "epoch"
    args = ["groth16", "verify", "keys/2x1x10x1-b2/verification_key.json", "batches/3/public.json",
            "batches/3/proof.json"]
    done = subprocess.run(["node", str(SNARKJS), *args], cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "OK" in done.stdout, done.stdout + done.stderr


def _cli(*args: str):
    from click.testing import CliRunner

    from zkmargin.cli.main import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_command_line_proves_verifies_and_checks_inclusion(epoch, tmp_path):
    root, keys, _, _ = epoch
    again = _cli("epoch", "prove", root / "book.jsonl", "--market", MARKET, "--model", "occ10", "--out",
                 root / "epoch", "--batch-size", "2", "--positions", "2", "--collateral", "1", "--scenarios", "10",
                 "--groups", "1", "--key-dir", root / "keys", "--exchange-key", keys.private_key, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["skipped"] == 4
    done = _cli("epoch", "verify", root / "epoch", "--exchange-key", keys.public_key)
    assert done.exit_code == 0 and "VALID" in done.output and "under-margined accounts: 2" in done.output
    assert _cli("inclusion", "export", root / "epoch", "dave", "--out", tmp_path / "d.json").exit_code == 0
    mine = _cli("inclusion", "verify", tmp_path / "d.json", "--manifest", root / "epoch" / "manifest.json",
                "--exchange-key", keys.public_key, "--json")
    assert mine.exit_code == 0 and json.loads(mine.output)["covered"] is False, mine.output


def test_exit_codes_invalid_one_unreadable_two(epoch, tmp_path):
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    (folder / "batches" / "1" / "public.json").write_text('["1"]\n')
    bad = _cli("epoch", "verify", folder, "--exchange-key", keys.public_key)
    assert bad.exit_code == 1 and "batch 1" in bad.output, bad.output
    missing = _cli("epoch", "verify", tmp_path / "nowhere", "--exchange-key", keys.public_key)
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_a_worker_refuses_a_key_whose_hash_differs_and_the_runner_names_the_job(epoch, tmp_path):
    from zkmargin.api.epoch_batch import BatchJob, prove_batch
    from zkmargin.api.runners import RunnerError
    from zkmargin.circuits.exchange.batch import BatchShape

    root, _, _, _ = epoch
    zkey = next((root / "keys").glob("*.zkey"))
    shape = BatchShape(CAPACITY, 2)
    job = BatchJob(0, shape, None, str(zkey), "00" * 32)  # type: ignore[arg-type]
    with pytest.raises(FormatError, match="not the tier's proving key"):
        prove_batch(job)
    with pytest.raises(RunnerError, match="job 0 .batch 0 of tier 2x1x10x1-b2. failed: .*proving key"):
        InProcessRunner().run(prove_batch, [job], lambda i, r: None)


def test_inclusion_files_are_read_strictly(epoch, tmp_path):
    root, keys, _, _ = epoch
    export_inclusion(root / "epoch", "grace", tmp_path / "g.json")
    raw = json.loads((tmp_path / "g.json").read_text())
    for edit in ({"extra": 1}, {"leaf_index": -1}, {"batch_path": ["x"]}, {"format": "zkmargin-inclusion/0"}):
        (tmp_path / "bad.json").write_text(json.dumps({**raw, **edit}))
        result = _cli("inclusion", "verify", tmp_path / "bad.json", "--manifest", root / "epoch" / "manifest.json",
                      "--exchange-key", keys.public_key)
        assert result.exit_code == 2 and result.output.startswith("error: ") and "Traceback" not in result.output


class Reversed(Counting):
    """Results in another order than the jobs, as a distributed runner returns them; jobs pickled."""

    def run(self, task, jobs, on_result):
        import pickle

        self.jobs += len(jobs)
        self.names = [job.name for job in jobs]
        for index in reversed(range(len(jobs))):
            on_result(index, task(pickle.loads(pickle.dumps(jobs[index]))))


def test_a_rerun_proves_only_missing_or_invalid_batches_in_any_order(epoch, tmp_path):
    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    (folder / "batches" / "1" / "proof.json").unlink()
    (folder / "batches" / "2" / "proof.json").write_bytes((folder / "batches" / "0" / "proof.json").read_bytes())
    runner = Reversed()
    record = prove_epoch(root / "book.jsonl", folder, keys.private_key, MARKET, "occ10", CAPACITY, 2,
                         root / "keys", runner=runner)
    assert runner.names == ["batch 1 of tier 2x1x10x1-b2", "batch 2 of tier 2x1x10x1-b2"]
    assert record.skipped == 2 and record.proven == 2
    assert verify_epoch(folder, keys.public_key)["accounts"] == 7


@pytest.mark.parametrize("which", ["manifest.json", "parameters.json", "inclusion"])
def test_fuzzed_epoch_files_end_in_format_errors(epoch, tmp_path, fuzz_seconds, which):
    """Mutated manifest, parameters and inclusion files only ever raise FormatError (EpochInvalid is one)."""
    from hypothesis import strategies as st

    from test_fuzz_readers import fuzz, json_files

    root, keys, _, _ = epoch
    folder = _copy(root, tmp_path)
    export_inclusion(folder, "carol", tmp_path / "carol.json")
    target = tmp_path / "carol.json" if which == "inclusion" else folder / which
    base = json.loads(target.read_text())

    def check(blob: bytes) -> None:
        target.write_bytes(blob)
        if which == "inclusion":
            verify_inclusion(target, folder / "manifest.json", keys.public_key)
        else:
            verify_epoch(folder, keys.public_key)

    fuzz(fuzz_seconds, json_files([base]) | st.just(json.dumps(base).encode()), check)


def test_a_missing_or_wrong_signing_key_fails_before_any_work(epoch, tmp_path):
    root, keys, _, _ = epoch
    args = ["epoch", "prove", root / "book.jsonl", "--market", MARKET, "--model", "occ10", "--out", tmp_path / "e",
            "--positions", "2", "--collateral", "1", "--scenarios", "10", "--groups", "1", "--key-dir", root / "keys"]
    for key in (tmp_path / "none.key", keys.public_key):
        result = _cli(*args, "--exchange-key", key)
        assert result.exit_code == 2 and result.output.startswith("error: "), result.output
    assert not (tmp_path / "e").exists()
