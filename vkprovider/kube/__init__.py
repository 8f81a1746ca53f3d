"""Kubernetes API access: client loading, informers, events."""
