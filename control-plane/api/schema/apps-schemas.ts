// apps/v1 schemas.
import {
  INT_OR_STRING, atomicList, field, i32, i64, bool, kindSchema, mergeList, str, struct, time, enumOf, type ObjectSchema,
} from './dsl.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta-schemas.js';
import { POD_TEMPLATE_SPEC } from './core-schemas.js';
import { PERSISTENT_VOLUME_CLAIM } from './storage-schemas.js';

const APPS = 'io.k8s.api.apps.v1';
const gvk = (kind: string) => ({ group: 'apps', version: 'v1', kind });

const condition = (name: string, what: string, withUpdateTime: boolean): ObjectSchema =>
  struct(`${APPS}.${name}`, `${name} describes the state of a ${what} at a certain point.`, {
    type: str(`Type of ${what} condition.`, { required: true }),
    status: field(enumOf('False', 'True', 'Unknown'), 'Status of the condition, one of True, False, Unknown.', { required: true }),
    ...(withUpdateTime ? { lastUpdateTime: time('The last time this condition was updated.') } : {}),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str("The reason for the condition's last transition."),
    message: str('A human readable message indicating details about the transition.'),
  });

const selector = (what: string) => field(LABEL_SELECTOR, `Label selector for pods. Existing ${what} whose pods are selected by this will be the ones affected.`,
  { required: true });

export const DEPLOYMENT = kindSchema(`${APPS}.Deployment`, gvk('Deployment'), 'Deployment enables declarative updates for Pods and ReplicaSets.', OBJECT_META, {
  spec: field(struct(`${APPS}.DeploymentSpec`, 'DeploymentSpec is the specification of the desired behavior of the Deployment.', {
    replicas: i32('Number of desired pods. Defaults to 1.'),
    selector: selector('ReplicaSets'),
    template: field(POD_TEMPLATE_SPEC, 'Template describes the pods that will be created.', { required: true }),
    strategy: field(struct(`${APPS}.DeploymentStrategy`, 'DeploymentStrategy describes how to replace existing pods with new ones.', {
      type: field(enumOf('Recreate', 'RollingUpdate'), 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
      rollingUpdate: field(struct(`${APPS}.RollingUpdateDeployment`, 'Spec to control the desired behavior of rolling update.', {
        maxUnavailable: field(INT_OR_STRING, 'The maximum number of pods that can be unavailable during the update. Defaults to 25%.'),
        maxSurge: field(INT_OR_STRING, 'The maximum number of pods that can be scheduled above the desired number of pods. Defaults to 25%.'),
      }), 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.'),
    }), 'The deployment strategy to use to replace existing pods with new ones.', { patchStrategy: 'retainKeys' }),
    minReadySeconds: i32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing.'),
    revisionHistoryLimit: i32('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'),
    paused: bool('Indicates that the deployment is paused.'),
    progressDeadlineSeconds: i32('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'),
  }), 'Specification of the desired behavior of the Deployment.'),
  status: field(struct(`${APPS}.DeploymentStatus`, 'DeploymentStatus is the most recently observed status of the Deployment.', {
    observedGeneration: i64('The generation observed by the deployment controller.'),
    replicas: i32('Total number of non-terminated pods targeted by this deployment (their labels match the selector).'),
    updatedReplicas: i32('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    readyReplicas: i32('readyReplicas is the number of pods targeted by this Deployment with a Ready Condition.'),
    availableReplicas: i32('Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    unavailableReplicas: i32('Total number of unavailable pods targeted by this deployment.'),
    conditions: mergeList(condition('DeploymentCondition', 'deployment', true), 'type', "Represents the latest available observations of a deployment's current state."),
    collisionCount: i32('Count of hash collisions for the Deployment.'),
  }), 'Most recently observed status of the Deployment.'),
});

export const REPLICA_SET = kindSchema(`${APPS}.ReplicaSet`, gvk('ReplicaSet'), 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', OBJECT_META, {
  spec: field(struct(`${APPS}.ReplicaSetSpec`, 'ReplicaSetSpec is the specification of a ReplicaSet.', {
    replicas: i32('Replicas is the number of desired replicas. Defaults to 1.'),
    minReadySeconds: i32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing.'),
    selector: selector('ReplicaSets'),
    template: field(POD_TEMPLATE_SPEC, 'Template is the object that describes the pod that will be created if insufficient replicas are detected.'),
  }), 'Spec defines the specification of the desired behavior of the ReplicaSet.'),
  status: field(struct(`${APPS}.ReplicaSetStatus`, 'ReplicaSetStatus represents the current status of a ReplicaSet.', {
    replicas: i32('Replicas is the most recently observed number of replicas.', { required: true }),
    fullyLabeledReplicas: i32('The number of pods that have labels matching the labels of the pod template of the replicaset.'),
    readyReplicas: i32('readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    availableReplicas: i32('The number of available replicas (ready for at least minReadySeconds) for this replica set.'),
    observedGeneration: i64('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'),
    conditions: mergeList(condition('ReplicaSetCondition', 'replica set', false), 'type', "Represents the latest available observations of a replica set's current state."),
  }), 'Status is the most recently observed status of the ReplicaSet.'),
});

export const DAEMON_SET = kindSchema(`${APPS}.DaemonSet`, gvk('DaemonSet'), 'DaemonSet represents the configuration of a daemon set.', OBJECT_META, {
  spec: field(struct(`${APPS}.DaemonSetSpec`, 'DaemonSetSpec is the specification of a daemon set.', {
    selector: selector('daemon sets'),
    template: field(POD_TEMPLATE_SPEC, 'An object that describes the pod that will be created.', { required: true }),
    updateStrategy: field(struct(`${APPS}.DaemonSetUpdateStrategy`, 'DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.', {
      type: field(enumOf('OnDelete', 'RollingUpdate'), 'Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.'),
      rollingUpdate: field(struct(`${APPS}.RollingUpdateDaemonSet`, 'Spec to control the desired behavior of daemon set rolling update.', {
        maxUnavailable: field(INT_OR_STRING, 'The maximum number of DaemonSet pods that can be unavailable during the update.'),
        maxSurge: field(INT_OR_STRING, 'The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during an update.'),
      }), 'Rolling update config params. Present only if type = "RollingUpdate".'),
    }), 'An update strategy to replace existing DaemonSet pods with new pods.'),
    minReadySeconds: i32('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing.'),
    revisionHistoryLimit: i32('The number of old history to retain to allow rollback. Defaults to 10.'),
  }), 'The desired behavior of this daemon set.'),
  status: field(struct(`${APPS}.DaemonSetStatus`, 'DaemonSetStatus represents the current status of a daemon set.', {
    currentNumberScheduled: i32('The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', { required: true }),
    numberMisscheduled: i32('The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.', { required: true }),
    desiredNumberScheduled: i32('The total number of nodes that should be running the daemon pod.', { required: true }),
    numberReady: i32('numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', { required: true }),
    observedGeneration: i64('The most recent generation observed by the daemon set controller.'),
    updatedNumberScheduled: i32('The total number of nodes that are running updated daemon pod'),
    numberAvailable: i32('The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    numberUnavailable: i32('The number of nodes that should be running the daemon pod and have none of the daemon pod running and available.'),
    collisionCount: i32('Count of hash collisions for the DaemonSet.'),
    conditions: mergeList(condition('DaemonSetCondition', 'DaemonSet', false), 'type', "Represents the latest available observations of a DaemonSet's current state."),
  }), 'The current status of this daemon set.'),
});

export const STATEFUL_SET = kindSchema(`${APPS}.StatefulSet`, gvk('StatefulSet'),
  'StatefulSet represents a set of pods with consistent identities.', OBJECT_META, {
    spec: field(struct(`${APPS}.StatefulSetSpec`, 'A StatefulSetSpec is the specification of a StatefulSet.', {
      replicas: i32('replicas is the desired number of replicas of the given Template. Defaults to 1.'),
      selector: selector('StatefulSets'),
      template: field(POD_TEMPLATE_SPEC, 'template is the object that describes the pod that will be created if insufficient replicas are detected.',
        { required: true }),
      volumeClaimTemplates: atomicList(PERSISTENT_VOLUME_CLAIM, 'volumeClaimTemplates is a list of claims that pods are allowed to reference.'),
      serviceName: str('serviceName is the name of the service that governs this StatefulSet.'),
      podManagementPolicy: field(enumOf('OrderedReady', 'Parallel'), 'podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down. Default is OrderedReady.'),
      updateStrategy: field(struct(`${APPS}.StatefulSetUpdateStrategy`, 'StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates.', {
        type: field(enumOf('OnDelete', 'RollingUpdate'), 'Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.'),
        rollingUpdate: field(struct(`${APPS}.RollingUpdateStatefulSetStrategy`, 'RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.', {
          partition: i32('Partition indicates the ordinal at which the StatefulSet should be partitioned for updates. Default value is 0.'),
          maxUnavailable: field(INT_OR_STRING, 'The maximum number of pods that can be unavailable during the update.'),
        }), 'RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.'),
      }), 'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.'),
      revisionHistoryLimit: i32('revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet\'s revision history. Defaults to 10.'),
      minReadySeconds: i32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available.'),
      persistentVolumeClaimRetentionPolicy: field(struct(`${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`,
        'StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs created from the StatefulSet VolumeClaimTemplates.', {
          whenDeleted: field(enumOf('Delete', 'Retain'), 'WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted.'),
          whenScaled: field(enumOf('Delete', 'Retain'), 'WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down.'),
        }), 'persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates.'),
      ordinals: field(struct(`${APPS}.StatefulSetOrdinals`, 'StatefulSetOrdinals describes the policy used for replica ordinal assignment in this StatefulSet.', {
        start: i32('start is the number representing the first replica\'s index.'),
      }), 'ordinals controls the numbering of replica indices in a StatefulSet.'),
    }), 'Spec defines the desired identities of pods in this set.'),
    status: field(struct(`${APPS}.StatefulSetStatus`, 'StatefulSetStatus represents the current state of a StatefulSet.', {
      observedGeneration: i64('observedGeneration is the most recent generation observed for this StatefulSet.'),
      replicas: i32('replicas is the number of Pods created by the StatefulSet controller.', { required: true }),
      readyReplicas: i32('readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.'),
      currentReplicas: i32('currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.'),
      updatedReplicas: i32('updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.'),
      currentRevision: str('currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).'),
      updateRevision: str('updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)'),
      collisionCount: i32('collisionCount is the count of hash collisions for the StatefulSet.'),
      conditions: mergeList(condition('StatefulSetCondition', 'statefulset', false), 'type', "Represents the latest available observations of a statefulset's current state."),
      availableReplicas: i32('Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.'),
    }), 'Status is the current status of Pods in this StatefulSet.'),
  });

export const APPS_KINDS: readonly ObjectSchema[] = [DEPLOYMENT, REPLICA_SET, DAEMON_SET, STATEFUL_SET];
