"""Wire shapes of core/v1 Pod specs and statuses (containers, volumes, scheduling, security).

Same table format as `schema_meta.py`; split from `schema_core.py` only for size.
"""

from __future__ import annotations

CONTAINER_FIELDS = """\
  name 1 string keep
  image 2 string
  command 3 [string]
  args 4 [string]
  workingDir 5 string
  ports 6 [ContainerPort]
  env 7 [EnvVar]
  resources 8 ResourceRequirements
  volumeMounts 9 [VolumeMount]
  livenessProbe 10 Probe
  readinessProbe 11 Probe
  lifecycle 12 Lifecycle
  terminationMessagePath 13 string
  imagePullPolicy 14 string
  securityContext 15 SecurityContext
  stdin 16 bool
  stdinOnce 17 bool
  tty 18 bool
  envFrom 19 [EnvFromSource]
  terminationMessagePolicy 20 string
  volumeDevices 21 [VolumeDevice]
  startupProbe 22 Probe
  resizePolicy 23 [ContainerResizePolicy]
  restartPolicy 24 string set
"""
"""Fields of Container, which EphemeralContainerCommon repeats with the same numbers."""

SCHEMA = """
PodSpec
  volumes 1 [Volume]
  containers 2 [Container]
  restartPolicy 3 string
  terminationGracePeriodSeconds 4 int64 set
  activeDeadlineSeconds 5 int64 set
  dnsPolicy 6 string
  nodeSelector 7 {string}
  serviceAccountName 8 string
  serviceAccount 9 string
  nodeName 10 string
  hostNetwork 11 bool
  hostPID 12 bool
  hostIPC 13 bool
  securityContext 14 PodSecurityContext
  imagePullSecrets 15 [LocalObjectReference]
  hostname 16 string
  subdomain 17 string
  affinity 18 Affinity
  schedulerName 19 string
  initContainers 20 [Container]
  automountServiceAccountToken 21 bool set
  tolerations 22 [Toleration]
  hostAliases 23 [HostAlias]
  priorityClassName 24 string
  priority 25 int32 set
  dnsConfig 26 PodDNSConfig
  shareProcessNamespace 27 bool set
  readinessGates 28 [PodReadinessGate]
  runtimeClassName 29 string set
  enableServiceLinks 30 bool set
  preemptionPolicy 31 string set
  overhead 32 {Quantity}
  topologySpreadConstraints 33 [TopologySpreadConstraint]
  setHostnameAsFQDN 35 bool set
  os 36 PodOS
  hostUsers 37 bool set
  schedulingGates 38 [PodSchedulingGate]
  ephemeralContainers 34 [EphemeralContainer]
  resourceClaims 39 [PodResourceClaim]
  resources 40 ResourceRequirements

EphemeralContainer
  ephemeralContainerCommon 1 EphemeralContainerCommon inline
  targetContainerName 2 string

EphemeralContainerCommon
@CONTAINER_FIELDS@
PodResourceClaim
  name 1 string keep
  resourceClaimName 3 string set
  resourceClaimTemplateName 4 string set

PodOS
  name 1 string keep

PodSchedulingGate
  name 1 string keep

PodReadinessGate
  conditionType 1 string keep

PodSecurityContext
  seLinuxOptions 1 SELinuxOptions
  runAsUser 2 int64 set
  runAsNonRoot 3 bool set
  supplementalGroups 4 [int64]
  fsGroup 5 int64 set
  runAsGroup 6 int64 set
  sysctls 7 [Sysctl]
  windowsOptions 8 WindowsSecurityContextOptions
  fsGroupChangePolicy 9 string set
  seccompProfile 10 SeccompProfile
  appArmorProfile 11 AppArmorProfile
  supplementalGroupsPolicy 12 string set
  seLinuxChangePolicy 13 string set

SecurityContext
  capabilities 1 Capabilities
  privileged 2 bool set
  seLinuxOptions 3 SELinuxOptions
  runAsUser 4 int64 set
  runAsNonRoot 5 bool set
  readOnlyRootFilesystem 6 bool set
  allowPrivilegeEscalation 7 bool set
  runAsGroup 8 int64 set
  procMount 9 string set
  windowsOptions 10 WindowsSecurityContextOptions
  seccompProfile 11 SeccompProfile
  appArmorProfile 12 AppArmorProfile

Capabilities
  add 1 [string]
  drop 2 [string]

SELinuxOptions
  user 1 string
  role 2 string
  type 3 string
  level 4 string

WindowsSecurityContextOptions
  gmsaCredentialSpecName 1 string set
  gmsaCredentialSpec 2 string set
  runAsUserName 3 string set
  hostProcess 4 bool set

SeccompProfile
  type 1 string keep
  localhostProfile 2 string set

AppArmorProfile
  type 1 string keep
  localhostProfile 2 string set

Sysctl
  name 1 string keep
  value 2 string keep

Affinity
  nodeAffinity 1 NodeAffinity
  podAffinity 2 PodAffinity
  podAntiAffinity 3 PodAffinity

NodeAffinity
  requiredDuringSchedulingIgnoredDuringExecution 1 NodeSelector
  preferredDuringSchedulingIgnoredDuringExecution 2 [PreferredSchedulingTerm]

NodeSelector
  nodeSelectorTerms 1 [NodeSelectorTerm]

NodeSelectorTerm
  matchExpressions 1 [NodeSelectorRequirement]
  matchFields 2 [NodeSelectorRequirement]

NodeSelectorRequirement
  key 1 string keep
  operator 2 string keep
  values 3 [string]

PreferredSchedulingTerm
  weight 1 int32 keep
  preference 2 NodeSelectorTerm

PodAffinity
  requiredDuringSchedulingIgnoredDuringExecution 1 [PodAffinityTerm]
  preferredDuringSchedulingIgnoredDuringExecution 2 [WeightedPodAffinityTerm]

PodAffinityTerm
  labelSelector 1 LabelSelector
  namespaces 2 [string]
  topologyKey 3 string keep
  namespaceSelector 4 LabelSelector
  matchLabelKeys 5 [string]
  mismatchLabelKeys 6 [string]

WeightedPodAffinityTerm
  weight 1 int32 keep
  podAffinityTerm 2 PodAffinityTerm

Toleration
  key 1 string
  operator 2 string
  value 3 string
  effect 4 string
  tolerationSeconds 5 int64 set

HostAlias
  ip 1 string keep
  hostnames 2 [string]

PodDNSConfig
  nameservers 1 [string]
  searches 2 [string]
  options 3 [PodDNSConfigOption]

PodDNSConfigOption
  name 1 string
  value 2 string set

TopologySpreadConstraint
  maxSkew 1 int32 keep
  topologyKey 2 string keep
  whenUnsatisfiable 3 string keep
  labelSelector 4 LabelSelector
  minDomains 5 int32 set
  nodeAffinityPolicy 6 string set
  nodeTaintsPolicy 7 string set
  matchLabelKeys 8 [string]

Volume
  name 1 string keep
  volumeSource 2 VolumeSource inline

VolumeSource partial
  hostPath 1 HostPathVolumeSource
  emptyDir 2 EmptyDirVolumeSource
  secret 6 SecretVolumeSource
  nfs 7 NFSVolumeSource
  persistentVolumeClaim 10 PersistentVolumeClaimVolumeSource
  downwardAPI 16 DownwardAPIVolumeSource
  configMap 19 ConfigMapVolumeSource
  projected 26 ProjectedVolumeSource
  csi 28 CSIVolumeSource
  image 30 ImageVolumeSource

HostPathVolumeSource
  path 1 string keep
  type 2 string set

EmptyDirVolumeSource
  medium 1 string
  sizeLimit 2 Quantity

SecretVolumeSource
  secretName 1 string
  items 2 [KeyToPath]
  defaultMode 3 int32 set
  optional 4 bool set

NFSVolumeSource
  server 1 string keep
  path 2 string keep
  readOnly 3 bool

PersistentVolumeClaimVolumeSource
  claimName 1 string keep
  readOnly 2 bool

DownwardAPIVolumeSource
  items 1 [DownwardAPIVolumeFile]
  defaultMode 2 int32 set

DownwardAPIVolumeFile
  path 1 string keep
  fieldRef 2 ObjectFieldSelector
  resourceFieldRef 3 ResourceFieldSelector
  mode 4 int32 set

ObjectFieldSelector
  apiVersion 1 string
  fieldPath 2 string keep

ResourceFieldSelector
  containerName 1 string
  resource 2 string keep
  divisor 3 Quantity

ConfigMapVolumeSource
  localObjectReference 1 LocalObjectReference inline
  items 2 [KeyToPath]
  defaultMode 3 int32 set
  optional 4 bool set

KeyToPath
  key 1 string keep
  path 2 string keep
  mode 3 int32 set

ProjectedVolumeSource
  sources 1 [VolumeProjection]
  defaultMode 2 int32 set

VolumeProjection partial
  secret 1 SecretProjection
  downwardAPI 2 DownwardAPIProjection
  configMap 3 ConfigMapProjection
  serviceAccountToken 4 ServiceAccountTokenProjection

SecretProjection
  localObjectReference 1 LocalObjectReference inline
  items 2 [KeyToPath]
  optional 4 bool set

ConfigMapProjection
  localObjectReference 1 LocalObjectReference inline
  items 2 [KeyToPath]
  optional 4 bool set

DownwardAPIProjection
  items 1 [DownwardAPIVolumeFile]

ServiceAccountTokenProjection
  audience 1 string
  expirationSeconds 2 int64 set
  path 3 string keep

CSIVolumeSource
  driver 1 string keep
  readOnly 2 bool set
  fsType 3 string set
  volumeAttributes 4 {string}
  nodePublishSecretRef 5 LocalObjectReference

ImageVolumeSource
  reference 1 string
  pullPolicy 2 string

Container
@CONTAINER_FIELDS@
ContainerResizePolicy
  resourceName 1 string keep
  restartPolicy 2 string keep

ContainerPort
  name 1 string
  hostPort 2 int32
  containerPort 3 int32 keep
  protocol 4 string
  hostIP 5 string

EnvVar
  name 1 string keep
  value 2 string
  valueFrom 3 EnvVarSource

EnvVarSource
  fieldRef 1 ObjectFieldSelector
  resourceFieldRef 2 ResourceFieldSelector
  configMapKeyRef 3 ConfigMapKeySelector
  secretKeyRef 4 SecretKeySelector

ConfigMapKeySelector
  localObjectReference 1 LocalObjectReference inline
  key 2 string keep
  optional 3 bool set

SecretKeySelector
  localObjectReference 1 LocalObjectReference inline
  key 2 string keep
  optional 3 bool set

EnvFromSource
  prefix 1 string
  configMapRef 2 ConfigMapEnvSource
  secretRef 3 SecretEnvSource

ConfigMapEnvSource
  localObjectReference 1 LocalObjectReference inline
  optional 2 bool set

SecretEnvSource
  localObjectReference 1 LocalObjectReference inline
  optional 2 bool set

ResourceRequirements
  limits 1 {Quantity}
  requests 2 {Quantity}
  claims 3 [ResourceClaim]

ResourceClaim
  name 1 string keep
  request 2 string

VolumeMount
  name 1 string keep
  readOnly 2 bool
  mountPath 3 string keep
  subPath 4 string
  mountPropagation 5 string set
  subPathExpr 6 string
  recursiveReadOnly 7 string set

VolumeDevice
  name 1 string keep
  devicePath 2 string keep

Probe
  handler 1 ProbeHandler inline
  initialDelaySeconds 2 int32
  timeoutSeconds 3 int32
  periodSeconds 4 int32
  successThreshold 5 int32
  failureThreshold 6 int32
  terminationGracePeriodSeconds 7 int64 set

ProbeHandler
  exec 1 ExecAction
  httpGet 2 HTTPGetAction
  tcpSocket 3 TCPSocketAction
  grpc 4 GRPCAction

LifecycleHandler
  exec 1 ExecAction
  httpGet 2 HTTPGetAction
  tcpSocket 3 TCPSocketAction
  sleep 4 SleepAction

Lifecycle
  postStart 1 LifecycleHandler
  preStop 2 LifecycleHandler

ExecAction
  command 1 [string]

HTTPGetAction
  path 1 string
  port 2 IntOrString keep
  host 3 string
  scheme 4 string
  httpHeaders 5 [HTTPHeader]

HTTPHeader
  name 1 string keep
  value 2 string keep

TCPSocketAction
  port 1 IntOrString keep
  host 2 string

GRPCAction
  port 1 int32 keep
  service 2 string set

SleepAction
  seconds 1 int64 keep

PodStatus partial
  phase 1 string
  conditions 2 [PodCondition]
  message 3 string
  reason 4 string
  hostIP 5 string
  podIP 6 string
  startTime 7 Time
  containerStatuses 8 [ContainerStatus]
  qosClass 9 string
  initContainerStatuses 10 [ContainerStatus]
  nominatedNodeName 11 string
  podIPs 12 [PodIP]
  hostIPs 16 [HostIP]

PodIP
  ip 1 string keep

HostIP
  ip 1 string keep

PodCondition
  type 1 string keep
  status 2 string keep
  lastProbeTime 3 Time
  lastTransitionTime 4 Time
  reason 5 string
  message 6 string

ContainerStatus partial
  name 1 string keep
  state 2 ContainerState
  lastState 3 ContainerState
  ready 4 bool keep
  restartCount 5 int32 keep
  image 6 string keep
  imageID 7 string keep
  containerID 8 string
  started 9 bool set

ContainerState
  waiting 1 ContainerStateWaiting
  running 2 ContainerStateRunning
  terminated 3 ContainerStateTerminated

ContainerStateWaiting
  reason 1 string
  message 2 string

ContainerStateRunning
  startedAt 1 Time

ContainerStateTerminated
  exitCode 1 int32 keep
  signal 2 int32
  reason 3 string
  message 4 string
  startedAt 5 Time
  finishedAt 6 Time
  containerID 7 string
"""
SCHEMA = SCHEMA.replace("@CONTAINER_FIELDS@\n", CONTAINER_FIELDS)
