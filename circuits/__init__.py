"""Circuits: the R1CS builder, gadgets and zkmargin's statements."""

from .builder import CircuitError, ConstraintSystem, LinearCombination
from .r1cs import R1CS, Constraint, UnsatisfiedConstraint

__all__ = ["CircuitError", "Constraint", "ConstraintSystem", "LinearCombination", "R1CS", "UnsatisfiedConstraint"]
