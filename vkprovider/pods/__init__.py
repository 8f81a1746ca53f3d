"""Pods bound to the virtual node, run as ECI container groups."""
