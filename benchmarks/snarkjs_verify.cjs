// snarkjs checks every proof the benchmark timed, in one node process: `snarkjs groth16
// verify` for each of some hundred proofs would spend a minute starting node. Same check,
// same library (snarkjs.groth16.verify). Prints JSON: one true/false per proof, in order.
//
//   node snarkjs_verify.cjs SNARKJS_DIR VK.json PUBLIC.json PROOF.json [PROOF.json ...]
"use strict";

const fs = require("fs");

async function main() {
    const [snarkjsDir, vkPath, publicPath, ...proofPaths] = process.argv.slice(2);
    if (!proofPaths.length) {
        console.error("usage: node snarkjs_verify.cjs SNARKJS_DIR VK.json PUBLIC.json PROOF.json [PROOF.json ...]");
        process.exit(2);
    }
    const snarkjs = require(snarkjsDir);
    const read = (path) => JSON.parse(fs.readFileSync(path, "utf8"));
    const vk = read(vkPath);
    const publicSignals = read(publicPath);
    const verdicts = [];
    for (const path of proofPaths) {
        verdicts.push(await snarkjs.groth16.verify(vk, publicSignals, read(path)));
    }
    console.log(JSON.stringify(verdicts));
    process.exit(0);  // ffjavascript's worker threads would otherwise keep node alive
}

main().catch((error) => {
    console.error(String(error && error.stack || error));
    process.exit(1);
});
