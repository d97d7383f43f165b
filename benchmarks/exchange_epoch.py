"""The child process of benchmarks/exchange.py: prove one epoch and print its record as JSON.

A separate process so that its peak memory (VmHWM) and CPU (with every worker it reaps) are
the epoch's alone, as an exchange's `zkmargin epoch prove` would see them. ``--workers 0``
proves in this process; ``--workers N`` on a local Dask cluster of N one-thread workers.

    python -m benchmarks.exchange_epoch BOOK OUT EXCHANGE_KEY MARKET MODEL CAPACITY_JSON B KEY_DIR WORKERS
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path

from zkmargin.api import MarginCapacity
from zkmargin.api.epoch import prove_epoch
from zkmargin.api.runners import InProcessRunner


def main(argv: list[str]) -> None:
    book, out, exchange_key, market, model, capacity, batch_size, key_dir, workers = argv
    if int(workers) == 0:
        runner = nullcontext(InProcessRunner())
    else:
        from zkmargin.api.dask_runner import DaskRunner

        runner = DaskRunner(workers=int(workers))
    with runner as run:
        record = prove_epoch(Path(book), Path(out), Path(exchange_key), Path(market), model,
                             MarginCapacity(**json.loads(capacity)), int(batch_size), Path(key_dir),
                             runner=run)
    print(json.dumps({"accounts": record.accounts, "batches": len(record.manifest.batches), "tier": record.tier,
                      "constraints": record.constraints, "proven": record.proven, "timings": record.timings,
                      "cpu": record.cpu, "batch_seconds": record.batch_seconds}))


if __name__ == "__main__":
    main(sys.argv[1:])
