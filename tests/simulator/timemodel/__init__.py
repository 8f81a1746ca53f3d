"""Unit tests of `simulator.timemodel`: the clock and the calibrated time model."""
