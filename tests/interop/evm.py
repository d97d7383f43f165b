"""Python's handle on evm.mjs: compile with solc-js, deploy and call on @ethereumjs/evm.

Every argument the contracts here take is a static ABI type (uint256 words, fixed arrays of
them, an address), so a call's data is the 4-byte selector solc reports followed by
32-byte words: no ABI library is needed, and none would be exercised by the tests.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "evm.mjs"
SOLC = HERE / "node_modules" / "solc" / "soljson.js"
ETHEREUMJS = HERE / "node_modules" / "@ethereumjs" / "evm"
EVM_VERSION = "prague"  # both the compiler's target and the EVM's hardfork


def words(*values: int) -> str:
    """ABI encoding of uint256 values (addresses too) as hex without 0x."""
    for v in values:
        assert 0 <= v < 1 << 256, v
    return "".join(f"{v:064x}" for v in values)


@dataclass(frozen=True)
class Contract:
    name: str
    bytecode: str  # creation code, hex without 0x
    selectors: dict[str, str]  # "verifyProof(uint256[2],...)" -> 8 hex digits
    abi: list


@dataclass(frozen=True)
class Outcome:
    success: bool  # False when the call reverted or ran out of gas
    returned: bytes  # return data, or revert data
    gas: int  # execution gas (without the 21,000 base and the calldata cost of a transaction)
    error: str | None

    @property
    def as_bool(self) -> bool:
        assert self.success and len(self.returned) == 32, self
        value = int.from_bytes(self.returned, "big")
        assert value in (0, 1), self
        return value == 1

    @property
    def as_uint(self) -> int:
        assert self.success and len(self.returned) == 32, self
        return int.from_bytes(self.returned, "big")


class Chain:
    """One node process holding one EVM state; requests are answered in order."""

    def __init__(self) -> None:
        self._node = subprocess.Popen(
            ["node", str(DRIVER)], cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def close(self) -> None:
        self._node.stdin.close()
        self._node.wait(timeout=30)

    def _ask(self, **request) -> dict:
        self._node.stdin.write(json.dumps(request) + "\n")
        self._node.stdin.flush()
        line = self._node.stdout.readline()
        assert line, "evm.mjs ended early"
        answer = json.loads(line)
        assert "failure" not in answer, answer["failure"]
        return answer

    def compile(self, sources: dict[str, str]) -> dict[str, Contract]:
        """Compile with the optimizer on (200 runs); any compiler error or warning fails the test."""
        request = {
            "language": "Solidity",
            "sources": {name: {"content": text} for name, text in sources.items()},
            "settings": {
                "optimizer": {"enabled": True, "runs": 200},
                "evmVersion": EVM_VERSION,
                "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.methodIdentifiers"]}},
            },
        }
        output = self._ask(op="compile", input=request)["output"]
        problems = [e["formattedMessage"] for e in output.get("errors", [])]
        assert not problems, "\n".join(problems)
        contracts = {}
        for source, found in output["contracts"].items():
            for name, c in found.items():
                contracts[f"{source}:{name}"] = Contract(
                    name, c["evm"]["bytecode"]["object"], c["evm"]["methodIdentifiers"], c["abi"]
                )
        return contracts

    def deploy(self, contract: Contract, args: str = "", sender: int = 0) -> tuple[str, int]:
        """The new contract's address and the gas its creation used."""
        assert contract.bytecode, f"{contract.name} is abstract or an interface"
        answer = self._ask(op="deploy", code="0x" + contract.bytecode + args, sender=f"0x{sender:040x}")
        assert answer["success"] and answer["address"], answer
        return answer["address"], answer["gas"]

    def call(
        self, to: str, contract: Contract, signature: str, args: str = "", *, sender: int = 0, timestamp: int = 0
    ) -> Outcome:
        data = "0x" + contract.selectors[signature] + args
        answer = self._ask(op="call", to=to, data=data, sender=f"0x{sender:040x}", timestamp=timestamp)
        return Outcome(answer["success"], bytes.fromhex(answer["returned"][2:]), answer["gas"], answer["error"])

    def selector(self, signature: str) -> bytes:
        """First 4 bytes of keccak256(signature): how a custom error starts its revert data."""
        return bytes.fromhex(self._ask(op="keccak", text=signature)["hash"][2:10])
