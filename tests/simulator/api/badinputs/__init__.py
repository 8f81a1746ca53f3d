"""The tables of hostile and careless requests the bad-input suite sends to the simulator.

`wire.py` holds the probes of the protocol (methods, actions, versions,
signatures, parameter names, sizes, bodies), `values.py` those of each
operation's values; `probes.py` says what a probe is.

Every probe is something a client must not be able to get a 200 (or a 500)
for: malformed, oversized and deeply nested parameters, wrong types, unicode
and injection-like text, repeated keys, wrong versions, actions and methods,
bad signatures, dates and nonces, wrong content types. Each is signed the way
the official SDK signs (its own helper computes the ACS3 signature) unless
the probe is about the signature itself, then altered as the probe says and
sent with the URL exactly as written. `expect` names the ECI code each probe
must get, so a change of answer is a visible decision, not a silent drift.
"""
