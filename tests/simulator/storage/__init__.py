"""Unit tests of `simulator.storage`: cache capacity, disks and snapshots."""
