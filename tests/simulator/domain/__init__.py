"""Unit tests of the simulator's pure domain: clock, catalog, time model, storage, matching."""
