"""Tests of `simulator.engine` without the service: workload rules, projection walks, the runner."""
