"""Exchange mode's epoch checks, in the trust base with their own budget (under 500 lines):
the signed manifest and its chain, the tree paths, Groth16 batch verification and a whole
epoch folder. py_ecc, the standard library and the verifier core, plus `cryptography` for
the manifest's Ed25519 signature only (docs/architecture.md says why)."""
