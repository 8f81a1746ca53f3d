"""Unit tests of `simulator.registry`: references, the catalog and its files, cache matching."""
