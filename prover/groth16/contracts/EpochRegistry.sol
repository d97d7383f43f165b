// SPDX-License-Identifier: MIT
// Written by `zkmargin export registry` for an exchange that publishes its epochs on chain.
pragma solidity ^0.8.20;

/// @notice The Groth16Verifier `zkmargin export solidity` writes for an exchange batch key:
///         one public input, the batch's public hash.
interface IBatchVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[1] calldata input
    ) external view returns (bool);
}

/// @title EpochRegistry: an exchange's epochs, against which anyone checks a batch proof
/// @notice Each epoch the exchange posts four values from its signed manifest: the account
///         tree's root, the root of the batch list, the hash of the opened totals and the hash
///         of the manifest itself. Posting costs one storage record per epoch, whatever the
///         number of batches: the batch list is a SHA-256 Merkle tree whose leaf b is
///         sha256(0x00 || tier || publicHash) of batch b, and whose inner nodes are
///         sha256(0x01 || left || right), padded with zero leaves to a power of two. A user, or
///         a protocol, then checks its batch with a view call: the batch is in the posted list
///         (a path of `depth(batchCount)` siblings) and its proof verifies under the tier's key.
///         The public hash binds the epoch, the parameters, the threshold, the batch's place and
///         its totals, so a proof from another epoch or position is not in the list.
///         Epochs only move forward and a tier's verifier is set once, so nothing posted can be
///         rewritten under a reader's feet.
contract EpochRegistry {
    struct Epoch {
        uint256 treeRoot; // the Poseidon account tree's root (a field element)
        bytes32 batchesRoot; // the SHA-256 Merkle root of (tier, publicHash) per batch
        bytes32 totalsHash; // sha256 of the manifest's opened totals, canonical JSON
        bytes32 manifestHash; // sha256 of the signed manifest's canonical bytes
        uint64 batchCount;
    }

    /// @notice The deepest batch list a path can prove membership in: 2^32 batches.
    uint256 public constant MAX_DEPTH = 32;

    error NotExchange();
    error EpochNotNew(uint256 epoch, uint256 latest);
    error NoBatches();
    error VerifierAlreadySet(uint256 tier);

    event EpochPosted(
        uint256 indexed epoch,
        uint256 treeRoot,
        bytes32 batchesRoot,
        bytes32 totalsHash,
        bytes32 manifestHash,
        uint64 batchCount
    );
    event TierVerifierSet(uint256 indexed tier, address verifier);

    address public immutable exchange;
    uint256 public latestEpoch;
    mapping(uint256 => IBatchVerifier) public tierVerifier;
    mapping(uint256 => Epoch) public epochs;

    modifier onlyExchange() {
        if (msg.sender != exchange) revert NotExchange();
        _;
    }

    constructor() {
        exchange = msg.sender;
    }

    /// @notice Register the verifier of a tier's key, once: a key published under posted
    ///         epochs can never be swapped for another.
    function setTierVerifier(uint256 tier, IBatchVerifier verifier) external onlyExchange {
        if (address(tierVerifier[tier]) != address(0)) revert VerifierAlreadySet(tier);
        tierVerifier[tier] = verifier;
        emit TierVerifierSet(tier, address(verifier));
    }

    /// @notice Post an epoch's commitments; epochs (Unix times) strictly increase.
    function postEpoch(
        uint256 epoch,
        uint256 treeRoot,
        bytes32 batchesRoot,
        bytes32 totalsHash,
        bytes32 manifestHash,
        uint64 batchCount
    ) external onlyExchange {
        if (epoch <= latestEpoch) revert EpochNotNew(epoch, latestEpoch);
        if (batchCount == 0) revert NoBatches();
        latestEpoch = epoch;
        epochs[epoch] = Epoch(treeRoot, batchesRoot, totalsHash, manifestHash, batchCount);
        emit EpochPosted(epoch, treeRoot, batchesRoot, totalsHash, manifestHash, batchCount);
    }

    /// @notice Leaf b of an epoch's batch list.
    function batchLeaf(uint256 tier, uint256 publicHash) public pure returns (bytes32) {
        return sha256(abi.encodePacked(uint8(0), tier, publicHash));
    }

    /// @notice Siblings a path needs: ceil(log2(batchCount)).
    function depth(uint256 batchCount) public pure returns (uint256 d) {
        while ((uint256(1) << d) < batchCount) d++;
    }

    /// @notice True when batch `index` of a posted epoch is (tier, publicHash): `path` holds the
    ///         siblings from the leaf up, and its entries past depth(batchCount) must be zero.
    function isBatch(
        uint256 epoch,
        uint256 index,
        uint256 tier,
        uint256 publicHash,
        bytes32[MAX_DEPTH] calldata path
    ) public view returns (bool) {
        Epoch storage posted = epochs[epoch];
        if (posted.batchCount == 0 || index >= posted.batchCount) return false;
        uint256 levels = depth(posted.batchCount);
        bytes32 node = batchLeaf(tier, publicHash);
        for (uint256 level = 0; level < MAX_DEPTH; level++) {
            if (level >= levels) {
                if (path[level] != bytes32(0)) return false;
                continue;
            }
            node = (index >> level) & 1 == 0
                ? sha256(abi.encodePacked(uint8(1), node, path[level]))
                : sha256(abi.encodePacked(uint8(1), path[level], node));
        }
        return node == posted.batchesRoot;
    }

    /// @notice True when batch `index` of `epoch` is in the posted list and its proof verifies
    ///         under its tier's key: the batch's accounts were margin-checked in that epoch.
    function checkBatch(
        uint256 epoch,
        uint256 index,
        uint256 tier,
        bytes32[MAX_DEPTH] calldata path,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256 publicHash
    ) external view returns (bool) {
        IBatchVerifier verifier = tierVerifier[tier];
        if (address(verifier) == address(0)) return false;
        if (!isBatch(epoch, index, tier, publicHash, path)) return false;
        return verifier.verifyProof(a, b, c, [publicHash]);
    }
}
