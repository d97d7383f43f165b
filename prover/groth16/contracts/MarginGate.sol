// SPDX-License-Identifier: MIT
// Written by `zkmargin export solidity` beside the Groth16Verifier of a portfolio-margin key.
pragma solidity ^0.8.20;

/// @notice The Groth16Verifier `zkmargin export solidity` writes for a portfolio-margin key
///         (snarkjs's exported verifier has the same interface).
interface IMarginVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata input
    ) external view returns (bool);
}

/// @title MarginGate: a lending protocol's policy for zkmargin portfolio-margin proofs
/// @notice A proof shows that the portfolio behind `commitment` has collateral of at least
///         threshold / 10^4 times its stress-scenario margin requirement, under the public risk
///         parameters whose Poseidon digest is `digest` (the digest also covers the epoch).
///         This contract accepts it only if, besides the proof verifying:
///           - the owner has pinned `digest` (a published set of risk parameters),
///           - threshold >= minThreshold (for example 12500 for 1.25x),
///           - the epoch (the market snapshot's Unix time) is not after block.timestamp and at
///             most maxEpochAge seconds before it.
///         The public inputs are passed as the verifier takes them:
///         input = [commitment, digest, epoch, threshold], so the calldata of
///         `zkmargin export calldata` (or snarkjs's) fits check and requireSolvent as it fits
///         verifyProof. Which commitment belongs to which borrower is the protocol's to record.
contract MarginGate {
    /// @notice Why check() rejected a proof; Accepted when it did not.
    enum Verdict {
        Accepted,
        UnknownParameters,
        ThresholdBelowMinimum,
        EpochInFuture,
        EpochTooOld,
        InvalidProof
    }

    error UnknownParameters(uint256 digest);
    error ThresholdBelowMinimum(uint256 threshold, uint256 minimum);
    error EpochInFuture(uint256 epoch, uint256 timestamp);
    error EpochTooOld(uint256 epoch, uint256 oldestAccepted);
    error InvalidProof();
    error NotOwner();

    event ParametersSet(uint256 indexed digest, bool accepted);
    event MinThresholdSet(uint256 minThreshold);
    event MaxEpochAgeSet(uint256 maxEpochAge);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    uint256 public constant COMMITMENT = 0;
    uint256 public constant DIGEST = 1;
    uint256 public constant EPOCH = 2;
    uint256 public constant THRESHOLD = 3;

    /// @notice The verifier of the portfolio-margin key whose fingerprint the prover published.
    IMarginVerifier public immutable verifier;
    address public owner;
    /// @notice Lowest accepted margin ratio, times 10^4.
    uint256 public minThreshold;
    /// @notice Oldest accepted epoch, in seconds before block.timestamp.
    uint256 public maxEpochAge;
    /// @notice The parameter digests (published risk parameters, per epoch) the owner accepts.
    mapping(uint256 => bool) public acceptedParameters;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor(IMarginVerifier verifier_, uint256 minThreshold_, uint256 maxEpochAge_) {
        verifier = verifier_;
        owner = msg.sender;
        minThreshold = minThreshold_;
        maxEpochAge = maxEpochAge_;
        emit OwnershipTransferred(address(0), msg.sender);
        emit MinThresholdSet(minThreshold_);
        emit MaxEpochAgeSet(maxEpochAge_);
    }

    /// @notice The policy's verdict on a proof; the cheap checks come first, the pairing last.
    function verdict(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata input
    ) public view returns (Verdict) {
        if (!acceptedParameters[input[DIGEST]]) return Verdict.UnknownParameters;
        if (input[THRESHOLD] < minThreshold) return Verdict.ThresholdBelowMinimum;
        if (input[EPOCH] > block.timestamp) return Verdict.EpochInFuture;
        if (block.timestamp - input[EPOCH] > maxEpochAge) return Verdict.EpochTooOld;
        if (!verifier.verifyProof(a, b, c, input)) return Verdict.InvalidProof;
        return Verdict.Accepted;
    }

    /// @notice True when the proof verifies and its statement meets the policy.
    function check(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata input
    ) external view returns (bool) {
        return verdict(a, b, c, input) == Verdict.Accepted;
    }

    /// @notice Returns when check() would return true; otherwise reverts with the reason.
    function requireSolvent(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata input
    ) external view {
        Verdict v = verdict(a, b, c, input);
        if (v == Verdict.Accepted) return;
        if (v == Verdict.UnknownParameters) revert UnknownParameters(input[DIGEST]);
        if (v == Verdict.ThresholdBelowMinimum) revert ThresholdBelowMinimum(input[THRESHOLD], minThreshold);
        if (v == Verdict.EpochInFuture) revert EpochInFuture(input[EPOCH], block.timestamp);
        if (v == Verdict.EpochTooOld) revert EpochTooOld(input[EPOCH], block.timestamp - maxEpochAge);
        revert InvalidProof();
    }

    /// @notice Accept (or stop accepting) the risk parameters with this digest.
    function setParameters(uint256 digest, bool accepted) external onlyOwner {
        acceptedParameters[digest] = accepted;
        emit ParametersSet(digest, accepted);
    }

    function setMinThreshold(uint256 minThreshold_) external onlyOwner {
        minThreshold = minThreshold_;
        emit MinThresholdSet(minThreshold_);
    }

    function setMaxEpochAge(uint256 maxEpochAge_) external onlyOwner {
        maxEpochAge = maxEpochAge_;
        emit MaxEpochAgeSet(maxEpochAge_);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
