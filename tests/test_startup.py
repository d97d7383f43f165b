"""What a fresh process imports and how it runs: verifying never pays for numba, proving loads
the kernels compiled ahead of time and never imports numba either, numba's JIT (the fallback,
and setup's kernels) skips its probes for libraries it never uses (prover/native/startup.py),
and kernels run on as many threads as the process has cores. Each import check runs in its
own interpreter, because this one has long since imported everything."""

import json
import os
import time
import shutil
import subprocess
import sys

import pytest


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_the_cli_and_verifying_never_import_numba_or_the_prover():
    """The CLI imports a command's module when it runs (cli/main.py): verifying loads none of
    the prover's, and the group itself none at all."""
    group_only = _modules_after("import zkmargin.cli.main")
    assert not {m for m in group_only if m.startswith("zkmargin.cli.commands")}
    loaded = _modules_after(
        "from zkmargin.cli.main import load_command\nload_command('verify')\n"
        "from zkmargin import api\napi.verify_bundle, api.load_bundle, api.check_opening"
    )
    assert "zkmargin.cli.commands.verify" in loaded and "zkmargin.api.checking" in loaded
    assert "zkmargin.cli.commands.prove" not in loaded
    assert not {m for m in loaded if m == "numba" or m.startswith(("numba.", "zkmargin.prover.native"))}
    assert "zkmargin.api.proving" not in loaded and "zkmargin.api.witness" not in loaded


def test_api_names_resolve_lazily_to_their_homes():
    from zkmargin import api
    from zkmargin.api.proving import prove_case
    from zkmargin.verifier.files import FormatError

    assert api.prove_case is prove_case and api.FormatError is FormatError
    assert set(api.__all__) <= set(dir(api))
    with pytest.raises(AttributeError):
        api.no_such_name  # noqa: B018


def test_a_proof_imports_neither_numba_nor_llvm(solvency_key, tmp_path):
    """The kernels are compiled ahead of time (prover/native/kernels.py): reading a key and
    proving load one extension module, never numba, llvmlite or setup's kernels."""
    from zkmargin.prover import write_zkey

    _, _, pk = solvency_key
    write_zkey(pk, tmp_path / "k.zkey")
    loaded = _modules_after(
        "from zkmargin.circuits import solvency_basic as spec\n"
        "from zkmargin.prover import get_engine, prove, read_zkey\n"
        "from zkmargin.prover.native.kernels import kernels\n"
        "engine = get_engine('native')\nengine.load()\nassert kernels().mode == 'aot', kernels().mode\n"
        "witness = spec.constraint_system(spec.parse_input(spec.sample_input(), 'sample')).witness()\n"
        f"prove(read_zkey({str(tmp_path / 'k.zkey')!r}), witness, engine)"
    )
    assert "zkmargin.prover.native.engine" in loaded and "zkmargin_kernels" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("numba", "llvmlite", "scipy", "cffi")}
    assert "zkmargin.prover.native.fixed_base_g1" not in loaded


def test_openmp_threads_sleep_unless_the_user_chose():
    out = subprocess.run(
        [sys.executable, "-c", "import os, zkmargin.prover.native; print(os.environ['OMP_WAIT_POLICY'])"],
        capture_output=True, text=True, check=True, env={k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"},
    ).stdout
    assert out.strip() == "PASSIVE"
    chosen = subprocess.run(
        [sys.executable, "-c", "import os, zkmargin.prover.native; print(os.environ['OMP_WAIT_POLICY'])"],
        capture_output=True, text=True, check=True, env=dict(os.environ, OMP_WAIT_POLICY="ACTIVE"),
    ).stdout
    assert chosen.strip() == "ACTIVE"


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_thread_count_follows_the_affinity():
    """Narrowing the affinity after numba started (as taskset, a container or a worker pool
    may) lowers the threads the next parallel call uses; a caller's lower choice stays."""
    numba = pytest.importorskip("numba")
    from zkmargin.prover.native.threads import fit_threads, usable_cores

    cores = os.sched_getaffinity(0)
    threads = numba.get_num_threads()
    try:
        os.sched_setaffinity(0, {min(cores)})
        assert usable_cores() == 1 and fit_threads() == 1 and numba.get_num_threads() == 1
        os.sched_setaffinity(0, cores)
        numba.set_num_threads(1)
        assert fit_threads() == 1  # never raised behind the caller's back
    finally:
        os.sched_setaffinity(0, cores)
        numba.set_num_threads(threads)


@pytest.mark.skipif(not shutil.which("taskset"), reason="needs taskset")
def test_a_pinned_process_proves_on_its_own_thread():
    """A process pinned to one core runs every kernel task inline: no pool thread starts."""
    script = (
        "import threading\nfrom zkmargin.prover import get_engine\n"
        "from zkmargin.prover.native.pool import thread_count\n"
        "engine = get_engine('native')\nengine.load()\n"
        "engine.msm_g1(engine.prepare_g1([(1, 2)] * 3), [5, 1 << 200, 7])\n"
        "print(thread_count(64), threading.active_count())"
    )
    out = subprocess.run(["taskset", "-c", str(min(os.sched_getaffinity(0))), sys.executable, "-c", script],
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "1"]


def test_kernels_release_the_gil_while_they_run():
    """Every kernel lets other threads run meanwhile (the engine's threads depend on it).
    With a switch interval of an hour, the interpreter never takes the GIL from a thread
    that holds it, so a Python thread counts during a kernel's call only if the call
    released it: held, the count would stay exactly where it was."""
    import threading

    import numpy as np

    from zkmargin.prover.native.kernels import kernels

    k = kernels()
    a, twiddles = np.ones((1 << 21, 4), dtype=np.uint64), np.ones((1, 4), dtype=np.uint64)
    count, stop = [0], threading.Event()

    def counting() -> None:
        while not stop.is_set():
            count[0] += 1
            time.sleep(0)  # lets the main thread take the GIL back between counts

    interval = sys.getswitchinterval()
    sys.setswitchinterval(3600)
    counter = threading.Thread(target=counting)
    try:
        counter.start()
        advanced = []
        for _ in range(20):  # one call is enough unless the machine starves the counter
            before = count[0]
            k.butterflies(a, twiddles, 2, 1, 0, len(a) // 2)  # tens of milliseconds in one call
            advanced.append(count[0] - before)
            if advanced[-1]:
                break
    finally:
        stop.set()
        sys.setswitchinterval(interval)
        counter.join()
    assert advanced[-1] > 0, advanced


def test_under_jit_load_readies_every_kernel_and_the_proof_verifies(tmp_path, solvency_key):
    """Under numba's JIT (ZKMARGIN_KERNELS=jit, the fallback where the ahead-of-time build
    fails), after ``load()`` a proof compiles and loads nothing more: every dispatcher already has
    the signatures the proof calls it with (numba keys them on argument types, including
    whether an array is read-only, as a mapped key's sections are), so the phases time work."""
    pytest.importorskip("numba")
    from zkmargin.prover import write_zkey

    _, _, pk = solvency_key
    write_zkey(pk, tmp_path / "k.zkey")
    script = f"""
import sys
from numba.core.registry import CPUDispatcher
from zkmargin.circuits import solvency_basic as spec
from zkmargin.prover import get_engine, prove, read_zkey
engine = get_engine("native")
engine.load()
def signatures():
    return {{(m, name): len(f.signatures) for m, module in list(sys.modules.items())
            if m.startswith("zkmargin.prover.native") for name, f in vars(module).items()
            if isinstance(f, CPUDispatcher)}}
before = signatures()
witness = spec.constraint_system(spec.parse_input(spec.sample_input(), "sample")).witness()
pk = read_zkey({str(tmp_path / "k.zkey")!r})
proof, public = prove(pk, witness, engine)
after = signatures()
from zkmargin.verifier import verify
assert verify(pk.verifying_key(), proof, public)
# points.py's kernels check a key as it is read: timed in reading it, not the engine's
print(sorted(k for k in after if after[k] != before.get(k, 0) and k[0] != "zkmargin.prover.native.points"))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env=dict(os.environ, ZKMARGIN_KERNELS="jit")).stdout
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.skipif(not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2, reason="needs fork and two cores")
def test_a_forked_child_runs_kernel_tasks_on_its_own_threads():
    """A child forked after the parent's pool started (a worker pool, a daemon) must not
    submit to the parent's threads, which it does not have."""
    script = (
        "import os\nfrom zkmargin.prover.native.pool import run_tasks\n"
        "run_tasks([lambda: None] * 4, threads=2)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n    done = []\n    run_tasks([lambda: done.append(1)] * 4, threads=2)\n"
        "    os._exit(0 if len(done) == 4 else 3)\n"
        "print(os.waitpid(pid, 0)[1])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=30).stdout
    assert out.strip() == "0"


def test_without_a_c_compiler_the_kernels_fall_back_to_numbas_jit(tmp_path):
    """Where the ahead-of-time build cannot run (here: no C compiler), proving still works,
    under numba's JIT, and says so once; ZKMARGIN_KERNELS=aot refuses instead."""
    script = (
        "from zkmargin.prover import get_engine\nfrom zkmargin.prover.native.kernels import kernels\n"
        "engine = get_engine('native')\nengine.load()\n"
        "print(kernels().mode, engine.msm_g1(engine.prepare_g1([(1, 2)]), [2]))"
    )
    env = dict(os.environ, ZKMARGIN_CACHE=str(tmp_path), CC="/bin/false")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    from py_ecc import optimized_bn128 as bn

    double = tuple(int(c) for c in bn.normalize(bn.double(bn.G1)))
    assert done.returncode == 0 and done.stdout.strip().split(maxsplit=1) == ["jit", str(double)], done.stderr
    assert "compiling the kernels ahead of time failed: RuntimeError: Attempted to compile AOT function without the " \
        "compiler" in done.stderr and "numba's JIT instead" in done.stderr
    refused = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env=dict(env, ZKMARGIN_KERNELS="aot"), timeout=600)
    assert refused.returncode != 0 and "KernelsUnavailable" in refused.stderr


def test_zkmargin_threads_caps_the_kernel_threads(monkeypatch):
    from zkmargin.prover.native.pool import THREADS_ENV, thread_count, usable_cores

    monkeypatch.setenv(THREADS_ENV, "1")
    assert thread_count(64) == 1
    for ignored in ("0", "", "many", "-2"):
        monkeypatch.setenv(THREADS_ENV, ignored)
        assert thread_count(64) == usable_cores()
