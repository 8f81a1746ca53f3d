"""Unit tests of `simulator.engine` that need no service: workload rules."""
