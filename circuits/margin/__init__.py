"""Portfolio margin: inputs, risk arrays, the plain calculator and the circuit."""
