"""Wire shapes of apps/v1 Deployments and batch/v1 Jobs and CronJobs.

Same table format as `schema_meta.py`. These kinds may not be served yet; decoding them is
tested on its own so the server reads `kubectl create deployment|job|cronjob` once they are.
"""

from __future__ import annotations

SCHEMA = """
Deployment
  metadata 1 ObjectMeta
  spec 2 DeploymentSpec
  status 3 DeploymentStatus

DeploymentSpec
  replicas 1 int32 set
  selector 2 LabelSelector
  template 3 PodTemplateSpec
  strategy 4 DeploymentStrategy
  minReadySeconds 5 int32
  revisionHistoryLimit 6 int32 set
  paused 7 bool
  progressDeadlineSeconds 9 int32 set

DeploymentStrategy
  type 1 string
  rollingUpdate 2 RollingUpdateDeployment

RollingUpdateDeployment
  maxUnavailable 1 IntOrString set
  maxSurge 2 IntOrString set

DeploymentStatus partial
  observedGeneration 1 int64
  replicas 2 int32
  updatedReplicas 3 int32
  availableReplicas 4 int32
  unavailableReplicas 5 int32
  conditions 6 [DeploymentCondition]
  readyReplicas 7 int32
  collisionCount 8 int32 set

DeploymentCondition
  type 1 string keep
  status 2 string keep
  reason 4 string
  message 5 string
  lastUpdateTime 6 Time
  lastTransitionTime 7 Time

Job
  metadata 1 ObjectMeta
  spec 2 JobSpec
  status 3 JobStatus

JobSpec partial
  parallelism 1 int32 set
  completions 2 int32 set
  activeDeadlineSeconds 3 int64 set
  selector 4 LabelSelector
  manualSelector 5 bool set
  template 6 PodTemplateSpec
  backoffLimit 7 int32 set
  ttlSecondsAfterFinished 8 int32 set
  completionMode 9 string set
  suspend 10 bool set
  podFailurePolicy 11 PodFailurePolicy
  backoffLimitPerIndex 12 int32 set
  maxFailedIndexes 13 int32 set
  podReplacementPolicy 14 string set

PodFailurePolicy
  rules 1 [PodFailurePolicyRule]

PodFailurePolicyRule
  action 1 string keep
  onExitCodes 2 PodFailurePolicyOnExitCodesRequirement
  onPodConditions 3 [PodFailurePolicyOnPodConditionsPattern]

PodFailurePolicyOnExitCodesRequirement
  containerName 1 string set
  operator 2 string keep
  values 3 [int32]

PodFailurePolicyOnPodConditionsPattern
  type 1 string keep
  status 2 string keep

JobStatus partial
  conditions 1 [JobCondition]
  startTime 2 Time
  completionTime 3 Time
  active 4 int32
  succeeded 5 int32
  failed 6 int32
  completedIndexes 7 string
  ready 9 int32 set
  failedIndexes 10 string set
  terminating 11 int32 set

JobCondition
  type 1 string keep
  status 2 string keep
  lastProbeTime 3 Time
  lastTransitionTime 4 Time
  reason 5 string
  message 6 string

CronJob
  metadata 1 ObjectMeta
  spec 2 CronJobSpec
  status 3 CronJobStatus

CronJobSpec
  schedule 1 string keep
  startingDeadlineSeconds 2 int64 set
  concurrencyPolicy 3 string
  suspend 4 bool set
  jobTemplate 5 JobTemplateSpec
  successfulJobsHistoryLimit 6 int32 set
  failedJobsHistoryLimit 7 int32 set
  timeZone 8 string set

JobTemplateSpec
  metadata 1 ObjectMeta
  spec 2 JobSpec

CronJobStatus
  active 1 [ObjectReference]
  lastScheduleTime 4 Time
  lastSuccessfulTime 5 Time
"""
