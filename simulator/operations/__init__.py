"""The ECI operations the service answers: parameter checking, planning, responses.

Each module takes the un-flattened request parameters (strings as sent on the
wire), validates them naming the parameter in every error, does its work
through the store, and returns the documented response body (without
`RequestId`, which the edge adds).
"""
