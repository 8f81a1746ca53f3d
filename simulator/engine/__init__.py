"""Lifecycles of container groups and image caches, driven by simulated time.

A resource's future is decided when it is created (or updated): a *plan* with
the simulated instant of every phase. What a resource looks like at any
instant is a pure function of its plan and that instant (`groupstate`,
`cachestate`), so every process computes the same answer, a restart loses
nothing, and reads are exact even before the `runner` has materialised the
new status into the store.
"""
