"""The ECI operations the service answers: one module per resource, and their helpers.

`containergroups`, `imagecaches` and `regions` hold the actions, and above them
`execs` (ExecContainerCommand), `groupmetrics` (the two metric operations) and
`grouprestarts` (RestartContainerGroup, UpdateContainerGroup); `groupspec`,
`groupfields`, `groupvolumes` and `params` check parameters, `groupviews`
shapes responses, `groupwrites` and `tokenlookups` batch store access,
`cacheuse` picks a cache, `context` is what every action is given. Each
action takes the un-flattened request parameters (strings as sent on the
wire), validates them naming the parameter in every error, does its work
through the store, and returns the documented response body (without
`RequestId`, which the edge adds).

Operations plan through `simulator.engine` and never the other way round: the
checked request values both use are `simulator.specs`.
"""
