// A real EVM (@ethereumjs/evm, Prague, BN254 precompiles) and the real Solidity compiler (solc-js)
// behind a pipe: one JSON request per line on stdin, one JSON answer per line on stdout.
// Driven by evm.py; the requests are plain bytes in hex, all ABI work is done on the Python side.
//   {"op": "compile", "input": <solc standard JSON>}           -> {"output": <solc's answer>}
//   {"op": "deploy", "code": hex, "sender": hex?}              -> {"address", "gas", "success", "error"}
//   {"op": "call", "to": hex, "data": hex, "sender": hex?, "timestamp": n?} -> {"success", "returned", "gas", "error"}
//   {"op": "keccak", "text": "EpochTooOld(uint256,uint256)"}   -> {"hash": hex}
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { createEVM } from '@ethereumjs/evm';
import { Common, Mainnet, Hardfork } from '@ethereumjs/common';
import { bytesToHex, hexToBytes, createAddressFromString } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';

const require = createRequire(import.meta.url);
const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
const evm = await createEVM({ common });
let solc = null;

const ZERO = '0x' + '00'.repeat(20);

function block(timestamp) {
  return {
    header: {
      number: 1n,
      coinbase: createAddressFromString(ZERO),
      timestamp: BigInt(timestamp ?? 0),
      difficulty: 0n,
      prevRandao: new Uint8Array(32),
      gasLimit: 30_000_000n,
      baseFeePerGas: 0n,
      getBlobGasPrice: () => 1n,
    },
  };
}

// runCall alone keeps EIP-2929's warm addresses and slots from one call to the next, and warms
// nothing up front. Start each call as a transaction does instead (what runTx in @ethereumjs/vm
// does): everything cold except the sender, the recipient, the coinbase and the precompiles, so
// the gas measured is a transaction's whatever ran before it.
function startTransaction(caller, to) {
  evm.journal.cleanJournal();
  for (const address of [caller, to, createAddressFromString(ZERO)]) {
    if (address !== undefined) evm.journal.addAlwaysWarmAddress(address.toString());
  }
  for (const address of evm.precompiles.keys()) evm.journal.addAlwaysWarmAddress(address);
}

async function run(request) {
  switch (request.op) {
    case 'compile':
      solc ??= require('solc');
      return { output: JSON.parse(solc.compile(JSON.stringify(request.input))), version: solc.version() };
    case 'keccak':
      return { hash: bytesToHex(keccak_256(new TextEncoder().encode(request.text))) };
    case 'deploy':
    case 'call': {
      const caller = createAddressFromString(request.sender ?? ZERO);
      const to = request.op === 'call' ? createAddressFromString(request.to) : undefined;
      startTransaction(caller, to);
      const result = await evm.runCall({
        caller,
        to,
        data: hexToBytes(request.op === 'call' ? request.data : request.code),
        gasLimit: 30_000_000n,
        block: block(request.timestamp),
      });
      const exec = result.execResult;
      return {
        success: exec.exceptionError === undefined,
        error: exec.exceptionError?.error ?? null,
        returned: bytesToHex(exec.returnValue),
        gas: Number(exec.executionGasUsed),
        address: result.createdAddress ? result.createdAddress.toString() : null,
      };
    }
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let answer;
  try {
    answer = await run(JSON.parse(line));
  } catch (error) {
    answer = { failure: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
