"""Emulated block storage for image caches: capacity checks, disks and snapshots.

Values only; the service persists what it needs.
"""
