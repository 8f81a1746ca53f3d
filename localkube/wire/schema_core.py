"""Wire shapes of core/v1: the kinds kubectl's typed clients create and what a Pod spec reaches.

Same table format as `schema_meta.py`. Only fields a client can send on create, update or
apply are listed; a field of these kinds that is missing here is refused on decoding, never
dropped (volume types other than the common ones, ephemeral containers, resource claims).
"""

from __future__ import annotations

SCHEMA = """
Namespace
  metadata 1 ObjectMeta
  spec 2 NamespaceSpec
  status 3 NamespaceStatus

NamespaceSpec
  finalizers 1 [string]

NamespaceStatus
  phase 1 string
  conditions 2 [NamespaceCondition]

NamespaceCondition
  type 1 string keep
  status 2 string keep
  lastTransitionTime 4 Time
  reason 5 string
  message 6 string

Secret
  metadata 1 ObjectMeta
  data 2 {bytes}
  type 3 string
  stringData 4 {string}
  immutable 5 bool set

ConfigMap
  metadata 1 ObjectMeta
  data 2 {string}
  binaryData 3 {bytes}
  immutable 4 bool set

ServiceAccount
  metadata 1 ObjectMeta
  secrets 2 [ObjectReference]
  imagePullSecrets 3 [LocalObjectReference]
  automountServiceAccountToken 4 bool set

ObjectReference
  kind 1 string
  namespace 2 string
  name 3 string
  uid 4 string
  apiVersion 5 string
  resourceVersion 6 string
  fieldPath 7 string

LocalObjectReference
  name 1 string

Binding
  metadata 1 ObjectMeta
  target 2 ObjectReference

Service
  metadata 1 ObjectMeta
  spec 2 ServiceSpec
  status 3 ServiceStatus

ServiceSpec
  ports 1 [ServicePort]
  selector 2 {string}
  clusterIP 3 string
  type 4 string
  externalIPs 5 [string]
  sessionAffinity 7 string
  loadBalancerIP 8 string
  loadBalancerSourceRanges 9 [string]
  externalName 10 string
  externalTrafficPolicy 11 string
  healthCheckNodePort 12 int32
  publishNotReadyAddresses 13 bool
  sessionAffinityConfig 14 SessionAffinityConfig
  ipFamilyPolicy 17 string set
  clusterIPs 18 [string]
  ipFamilies 19 [string]
  allocateLoadBalancerNodePorts 20 bool set
  loadBalancerClass 21 string set
  internalTrafficPolicy 22 string set
  trafficDistribution 23 string set

SessionAffinityConfig
  clientIP 1 ClientIPConfig

ClientIPConfig
  timeoutSeconds 1 int32 set

ServicePort
  name 1 string
  protocol 2 string
  port 3 int32 keep
  targetPort 4 IntOrString
  nodePort 5 int32
  appProtocol 6 string set

ServiceStatus
  loadBalancer 1 LoadBalancerStatus
  conditions 2 [Condition]

LoadBalancerStatus
  ingress 1 [LoadBalancerIngress]

LoadBalancerIngress
  ip 1 string
  hostname 2 string
  ipMode 3 string set
  ports 4 [PortStatus]

PortStatus
  port 1 int32 keep
  protocol 2 string keep
  error 3 string set

Event
  metadata 1 ObjectMeta
  involvedObject 2 ObjectReference
  reason 3 string
  message 4 string
  source 5 EventSource
  firstTimestamp 6 Time
  lastTimestamp 7 Time
  count 8 int32
  type 9 string
  eventTime 10 MicroTime
  series 11 EventSeries
  action 12 string
  related 13 ObjectReference
  reportingComponent 14 string keep
  reportingInstance 15 string keep

EventSeries
  count 1 int32
  lastObservedTime 2 MicroTime

EventSource
  component 1 string
  host 2 string

Pod
  metadata 1 ObjectMeta
  spec 2 PodSpec
  status 3 PodStatus

PodTemplateSpec
  metadata 1 ObjectMeta
  spec 2 PodSpec

Node
  metadata 1 ObjectMeta
  spec 2 NodeSpec
  status 3 NodeStatus

NodeSpec partial
  podCIDR 1 string
  providerID 3 string
  unschedulable 4 bool
  taints 5 [Taint]
  podCIDRs 7 [string]

Taint
  key 1 string keep
  value 2 string
  effect 3 string keep
  timeAdded 4 Time

NodeStatus partial
  capacity 1 {Quantity}
  allocatable 2 {Quantity}
  phase 3 string
"""
