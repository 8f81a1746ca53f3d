"""The three parts run together (API server, simulator, agent) for the demo and the benchmarks."""
