"""Wire shapes of apimachinery's types: object metadata, times, quantities, the envelope.

One block per message: its name, then one line per field, `jsonName number type [flag]`.
Types are `string int32 int64 bool bytes`, a message name, `[T]` (repeated) or `{T}` (a map
from string to T). Flags say how Go's JSON encoder treats a zero value, which protobuf
cannot tell: `keep` (no `omitempty`, so the zero value is written), `set` (a pointer: written
whenever the sender set it, zero included), `inline` (the message's fields are spliced into
its parent, as `json:",inline"` does). Without a flag a zero scalar or an empty list or map
is left out, as `omitempty` does. A message header may say `partial`: the table lists only
some of its fields (see `MessageShape.partial`). Field numbers are Kubernetes' own (its
`generated.proto`); messages the server treats specially (Time, MicroTime, Quantity,
IntOrString, FieldsV1) are converted by name in `decoding.py`.
"""

from __future__ import annotations

SCHEMA = """
TypeMeta
  apiVersion 1 string
  kind 2 string

Unknown
  typeMeta 1 TypeMeta
  raw 2 bytes
  contentEncoding 3 string
  contentType 4 string

Time
  seconds 1 int64
  nanos 2 int32

MicroTime
  seconds 1 int64
  nanos 2 int32

Quantity
  string 1 string

IntOrString
  type 1 int64
  intVal 2 int32
  strVal 3 string

FieldsV1
  Raw 1 bytes

ObjectMeta
  name 1 string
  generateName 2 string
  namespace 3 string
  selfLink 4 string
  uid 5 string
  resourceVersion 6 string
  generation 7 int64
  creationTimestamp 8 Time
  deletionTimestamp 9 Time
  deletionGracePeriodSeconds 10 int64 set
  labels 11 {string}
  annotations 12 {string}
  ownerReferences 13 [OwnerReference]
  finalizers 14 [string]
  managedFields 17 [ManagedFieldsEntry]

OwnerReference
  kind 1 string keep
  name 3 string keep
  uid 4 string keep
  apiVersion 5 string keep
  controller 6 bool set
  blockOwnerDeletion 7 bool set

ManagedFieldsEntry
  manager 1 string
  operation 2 string
  apiVersion 3 string
  time 4 Time
  fieldsType 6 string
  fieldsV1 7 FieldsV1
  subresource 8 string

LabelSelector
  matchLabels 1 {string}
  matchExpressions 2 [LabelSelectorRequirement]

LabelSelectorRequirement
  key 1 string keep
  operator 2 string keep
  values 3 [string]

Condition
  type 1 string keep
  status 2 string keep
  observedGeneration 3 int64
  lastTransitionTime 4 Time
  reason 5 string keep
  message 6 string keep

DeleteOptions
  gracePeriodSeconds 1 int64 set
  preconditions 2 Preconditions
  orphanDependents 3 bool set
  propagationPolicy 4 string set
  dryRun 5 [string]

Preconditions
  uid 1 string set
  resourceVersion 2 string set
"""
