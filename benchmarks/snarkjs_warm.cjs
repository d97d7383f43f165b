// snarkjs's side of the warm comparison: one node process reads the key once, then proves
// the witness RUNS times through snarkjs's JavaScript API, as a prover serving many accounts
// would. Each proof reads the witness file afresh; the key stays in memory. Prints JSON; the
// last proof goes to PROOF.json, after the timing, for snarkjs to check like every other.
//
//   node snarkjs_warm.cjs SNARKJS_DIR KEY.zkey WITNESS.wtns RUNS PROOF.json
"use strict";

const fs = require("fs");

async function main() {
    const [snarkjsDir, zkeyPath, wtnsPath, runsText, proofPath] = process.argv.slice(2);
    if (!proofPath || !/^[0-9]+$/.test(runsText)) {
        console.error("usage: node snarkjs_warm.cjs SNARKJS_DIR KEY.zkey WITNESS.wtns RUNS PROOF.json");
        process.exit(2);
    }
    const snarkjs = require(snarkjsDir);
    const zkey = { type: "mem", data: new Uint8Array(fs.readFileSync(zkeyPath)) };
    const seconds = [];
    let last;
    for (let run = 0; run <= Number(runsText); run++) {  // run 0 warms up and is not counted
        const start = process.hrtime.bigint();
        const witness = { type: "mem", data: new Uint8Array(fs.readFileSync(wtnsPath)) };
        const { proof } = await snarkjs.groth16.prove(zkey, witness);
        last = JSON.stringify(proof);
        const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
        if (run > 0) seconds.push(elapsed);
    }
    fs.writeFileSync(proofPath, last);
    console.log(JSON.stringify({ seconds }));
    process.exit(0);  // ffjavascript's worker threads would otherwise keep node alive
}

main().catch((error) => {
    console.error(String(error && error.stack || error));
    process.exit(1);
});
