// core/v1 schemas, with Kubernetes' strategic-merge metadata (patchStrategy /
// patchMergeKey struct tags) and list types.
import {
  BYTES, INT_OR_STRING, MICRO_TIME, QUANTITY, STRING, arrayOf, atomicList, bool, enumOf, field, i32, i64, kindSchema,
  mapOf, mergeList, str, strList, strMap, struct, time, type ObjectSchema,
} from './dsl.js';
import { CONDITION, LABEL_SELECTOR, OBJECT_META } from './meta-schemas.js';

const CORE = 'io.k8s.api.core.v1';
const gvk = (kind: string) => ({ group: '', version: 'v1', kind });
const resourceList = (description: string) => field(mapOf(QUANTITY), description);

// ---- containers --------------------------------------------------------------------------

const OBJECT_FIELD_SELECTOR = struct(`${CORE}.ObjectFieldSelector`, 'ObjectFieldSelector selects an APIVersioned field of an object.', {
  apiVersion: str('Version of the schema the FieldPath is written in terms of, defaults to "v1".'),
  fieldPath: str('Path of the field to select in the specified API version.', { required: true }),
});
const RESOURCE_FIELD_SELECTOR = struct(`${CORE}.ResourceFieldSelector`,
  'ResourceFieldSelector represents container resources (cpu, memory) and their output format', {
    containerName: str('Container name: required for volumes, optional for env vars'),
    resource: str('Required: resource to select', { required: true }),
    divisor: field(QUANTITY, 'Specifies the output format of the exposed resources, defaults to "1"'),
  });
const CONFIG_MAP_KEY_SELECTOR = struct(`${CORE}.ConfigMapKeySelector`, 'Selects a key from a ConfigMap.', {
  name: str('Name of the referent.'),
  key: str('The key to select.', { required: true }),
  optional: bool('Specify whether the ConfigMap or its key must be defined'),
});
const SECRET_KEY_SELECTOR = struct(`${CORE}.SecretKeySelector`, 'SecretKeySelector selects a key of a Secret.', {
  name: str('Name of the referent.'),
  key: str('The key of the secret to select from.  Must be a valid secret key.', { required: true }),
  optional: bool('Specify whether the Secret or its key must be defined'),
});
const ENV_VAR_SOURCE = struct(`${CORE}.EnvVarSource`, 'EnvVarSource represents a source for the value of an EnvVar.', {
  fieldRef: field(OBJECT_FIELD_SELECTOR, 'Selects a field of the pod.'),
  resourceFieldRef: field(RESOURCE_FIELD_SELECTOR, 'Selects a resource of the container.'),
  configMapKeyRef: field(CONFIG_MAP_KEY_SELECTOR, 'Selects a key of a ConfigMap.'),
  secretKeyRef: field(SECRET_KEY_SELECTOR, "Selects a key of a secret in the pod's namespace"),
});
export const ENV_VAR = struct(`${CORE}.EnvVar`, 'EnvVar represents an environment variable present in a Container.', {
  name: str('Name of the environment variable.', { required: true }),
  value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables.'),
  valueFrom: field(ENV_VAR_SOURCE, "Source for the environment variable's value."),
});
const CONFIG_MAP_ENV_SOURCE = struct(`${CORE}.ConfigMapEnvSource`, 'ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.', {
  name: str('Name of the referent.'),
  optional: bool('Specify whether the ConfigMap must be defined'),
});
const SECRET_ENV_SOURCE = struct(`${CORE}.SecretEnvSource`, 'SecretEnvSource selects a Secret to populate the environment variables with.', {
  name: str('Name of the referent.'),
  optional: bool('Specify whether the Secret must be defined'),
});
const ENV_FROM_SOURCE = struct(`${CORE}.EnvFromSource`, 'EnvFromSource represents the source of a set of ConfigMaps or Secrets', {
  prefix: str('Optional text to prepend to the name of each environment variable.'),
  configMapRef: field(CONFIG_MAP_ENV_SOURCE, 'The ConfigMap to select from'),
  secretRef: field(SECRET_ENV_SOURCE, 'The Secret to select from'),
});
export const CONTAINER_PORT = struct(`${CORE}.ContainerPort`, 'ContainerPort represents a network port in a single container.', {
  name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod.'),
  hostPort: i32('Number of port to expose on the host.'),
  containerPort: i32("Number of port to expose on the pod's IP address.", { required: true }),
  protocol: field(enumOf('SCTP', 'TCP', 'UDP'), 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
  hostIP: str('What host IP to bind the external port to.'),
});
const RESOURCE_REQUIREMENTS = struct(`${CORE}.ResourceRequirements`, 'ResourceRequirements describes the compute resource requirements.', {
  limits: resourceList('Limits describes the maximum amount of compute resources allowed.'),
  requests: resourceList('Requests describes the minimum amount of compute resources required.'),
});
const HTTP_HEADER = struct(`${CORE}.HTTPHeader`, 'HTTPHeader describes a custom header to be used in HTTP probes', {
  name: str('The header field name.', { required: true }),
  value: str('The header field value', { required: true }),
});
const EXEC_ACTION = struct(`${CORE}.ExecAction`, 'ExecAction describes a "run in container" action.', {
  command: strList('Command is the command line to execute inside the container.'),
});
const HTTP_GET_ACTION = struct(`${CORE}.HTTPGetAction`, 'HTTPGetAction describes an action based on HTTP Get requests.', {
  path: str('Path to access on the HTTP server.'),
  port: field(INT_OR_STRING, 'Name or number of the port to access on the container.', { required: true }),
  host: str('Host name to connect to, defaults to the pod IP.'),
  scheme: field(enumOf('HTTP', 'HTTPS'), 'Scheme to use for connecting to the host. Defaults to HTTP.'),
  httpHeaders: atomicList(HTTP_HEADER, 'Custom headers to set in the request.'),
});
const TCP_SOCKET_ACTION = struct(`${CORE}.TCPSocketAction`, 'TCPSocketAction describes an action based on opening a socket', {
  port: field(INT_OR_STRING, 'Number or name of the port to access on the container.', { required: true }),
  host: str('Optional: Host name to connect to, defaults to the pod IP.'),
});
const GRPC_ACTION = struct(`${CORE}.GRPCAction`, 'GRPCAction specifies an action involving a GRPC service.', {
  port: i32('Port number of the gRPC service.', { required: true }),
  service: str('Service is the name of the service to place in the gRPC HealthCheckRequest.'),
});
export const PROBE = struct(`${CORE}.Probe`, 'Probe describes a health check to be performed against a container.', {
  exec: field(EXEC_ACTION, 'Exec specifies a command to execute in the container.'),
  httpGet: field(HTTP_GET_ACTION, 'HTTPGet specifies an HTTP GET request to perform.'),
  tcpSocket: field(TCP_SOCKET_ACTION, 'TCPSocket specifies a connection to a TCP port.'),
  grpc: field(GRPC_ACTION, 'GRPC specifies a GRPC HealthCheckRequest.'),
  initialDelaySeconds: i32('Number of seconds after the container has started before liveness probes are initiated.'),
  timeoutSeconds: i32('Number of seconds after which the probe times out. Defaults to 1 second.'),
  periodSeconds: i32('How often (in seconds) to perform the probe. Default to 10 seconds.'),
  successThreshold: i32('Minimum consecutive successes for the probe to be considered successful after having failed.'),
  failureThreshold: i32('Minimum consecutive failures for the probe to be considered failed after having succeeded.'),
  terminationGracePeriodSeconds: i64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure.'),
});
const SLEEP_ACTION = struct(`${CORE}.SleepAction`, 'SleepAction describes a "sleep" action.', {
  seconds: i64('Seconds is the number of seconds to sleep.', { required: true }),
});
const LIFECYCLE_HANDLER = struct(`${CORE}.LifecycleHandler`, 'LifecycleHandler defines a specific action that should be taken in a lifecycle hook.', {
  exec: field(EXEC_ACTION, 'Exec specifies a command to execute in the container.'),
  httpGet: field(HTTP_GET_ACTION, 'HTTPGet specifies an HTTP GET request to perform.'),
  tcpSocket: field(TCP_SOCKET_ACTION, 'Deprecated. TCPSocket is NOT supported as a LifecycleHandler.'),
  sleep: field(SLEEP_ACTION, 'Sleep represents a duration that the container should sleep.'),
});
const LIFECYCLE = struct(`${CORE}.Lifecycle`, 'Lifecycle describes actions that the management system should take in response to container lifecycle events.', {
  postStart: field(LIFECYCLE_HANDLER, 'PostStart is called immediately after a container is created.'),
  preStop: field(LIFECYCLE_HANDLER, 'PreStop is called immediately before a container is terminated.'),
});
export const VOLUME_MOUNT = struct(`${CORE}.VolumeMount`, 'VolumeMount describes a mounting of a Volume within a container.', {
  name: str('This must match the Name of a Volume.', { required: true }),
  readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified).'),
  mountPath: str('Path within the container at which the volume should be mounted.', { required: true }),
  subPath: str("Path within the volume from which the container's volume should be mounted."),
  mountPropagation: str('mountPropagation determines how mounts are propagated from the host to container and the other way around.'),
  subPathExpr: str("Expanded path within the volume from which the container's volume should be mounted."),
});
const CAPABILITIES = struct(`${CORE}.Capabilities`, 'Adds and removes POSIX capabilities from running containers.', {
  add: strList('Added capabilities'),
  drop: strList('Removed capabilities'),
});
const SECURITY_CONTEXT = struct(`${CORE}.SecurityContext`, 'SecurityContext holds security configuration that will be applied to a container.', {
  privileged: bool('Run container in privileged mode.'),
  runAsUser: i64('The UID to run the entrypoint of the container process.'),
  runAsGroup: i64('The GID to run the entrypoint of the container process.'),
  runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
  readOnlyRootFilesystem: bool('Whether this container has a read-only root filesystem.'),
  allowPrivilegeEscalation: bool('AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.'),
  capabilities: field(CAPABILITIES, 'The capabilities to add/drop when running containers.'),
});
export const CONTAINER = struct(`${CORE}.Container`, 'A single application container that you want to run within a pod.', {
  name: str('Name of the container specified as a DNS_LABEL.', { required: true }),
  image: str('Container image name.'),
  command: strList('Entrypoint array. Not executed within a shell.'),
  args: strList('Arguments to the entrypoint.'),
  workingDir: str("Container's working directory."),
  ports: mergeList(CONTAINER_PORT, 'containerPort', 'List of ports to expose from the container.',
    { listMapKeys: ['containerPort', 'protocol'] }),
  envFrom: atomicList(ENV_FROM_SOURCE, 'List of sources to populate environment variables in the container.'),
  env: mergeList(ENV_VAR, 'name', 'List of environment variables to set in the container.'),
  resources: field(RESOURCE_REQUIREMENTS, 'Compute Resources required by this container.'),
  restartPolicy: str('RestartPolicy defines the restart behavior of individual containers in a pod (init containers only: "Always").'),
  volumeMounts: mergeList(VOLUME_MOUNT, 'mountPath', "Pod volumes to mount into the container's filesystem."),
  livenessProbe: field(PROBE, 'Periodic probe of container liveness.'),
  readinessProbe: field(PROBE, 'Periodic probe of container service readiness.'),
  startupProbe: field(PROBE, 'StartupProbe indicates that the Pod has successfully initialized.'),
  lifecycle: field(LIFECYCLE, 'Actions that the management system should take in response to container lifecycle events.'),
  terminationMessagePath: str("Path at which the file to which the container's termination message will be written is mounted."),
  terminationMessagePolicy: field(enumOf('FallbackToLogsOnError', 'File'), 'Indicate how the termination message should be populated.'),
  imagePullPolicy: field(enumOf('Always', 'IfNotPresent', 'Never'), 'Image pull policy. One of Always, Never, IfNotPresent.'),
  securityContext: field(SECURITY_CONTEXT, 'SecurityContext defines the security options the container should be run with.'),
  stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
  stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
  tty: bool('Whether this container should allocate a TTY for itself.'),
});

// ---- volumes, scheduling -----------------------------------------------------------------

const KEY_TO_PATH = struct(`${CORE}.KeyToPath`, 'Maps a string key to a path within a volume.', {
  key: str('key is the key to project.', { required: true }),
  path: str('path is the relative path of the file to map the key to.', { required: true }),
  mode: i32('mode is Optional: mode bits used to set permissions on this file.'),
});
const EMPTY_DIR = struct(`${CORE}.EmptyDirVolumeSource`, 'Represents an empty directory for a pod.', {
  medium: str('medium represents what type of storage medium should back this directory.'),
  sizeLimit: field(QUANTITY, 'sizeLimit is the total amount of local storage required for this EmptyDir volume.'),
});
const CONFIG_MAP_VOLUME = struct(`${CORE}.ConfigMapVolumeSource`, 'Adapts a ConfigMap into a volume.', {
  name: str('Name of the referent.'),
  items: atomicList(KEY_TO_PATH, 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected.'),
  defaultMode: i32('defaultMode is optional: mode bits used to set permissions on created files by default.'),
  optional: bool('optional specify whether the ConfigMap or its keys must be defined'),
});
const SECRET_VOLUME = struct(`${CORE}.SecretVolumeSource`, 'Adapts a Secret into a volume.', {
  secretName: str("secretName is the name of the secret in the pod's namespace to use."),
  items: atomicList(KEY_TO_PATH, 'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected.'),
  defaultMode: i32('defaultMode is Optional: mode bits used to set permissions on created files by default.'),
  optional: bool('optional field specify whether the Secret or its keys must be defined'),
});
export const HOST_PATH_VOLUME = struct(`${CORE}.HostPathVolumeSource`, 'Represents a host path mapped into a pod.', {
  path: str('path of the directory on the host.', { required: true }),
  type: str('type for HostPath Volume. Defaults to ""'),
});
const PVC_VOLUME = struct(`${CORE}.PersistentVolumeClaimVolumeSource`, "references the user's PVC in the same namespace.", {
  claimName: str('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.',
    { required: true }),
  readOnly: bool('readOnly Will force the ReadOnly setting in VolumeMounts.'),
});
export const VOLUME_SOURCES = ['emptyDir', 'configMap', 'secret', 'hostPath', 'persistentVolumeClaim'] as const;
export const VOLUME = struct(`${CORE}.Volume`, 'Volume represents a named volume in a pod that may be accessed by any container in the pod.', {
  name: str("name of the volume. Must be a DNS_LABEL and unique within the pod.", { required: true }),
  emptyDir: field(EMPTY_DIR, 'emptyDir represents a temporary directory that shares a pod\'s lifetime.'),
  configMap: field(CONFIG_MAP_VOLUME, 'configMap represents a configMap that should populate this volume'),
  secret: field(SECRET_VOLUME, 'secret represents a secret that should populate this volume.'),
  hostPath: field(HOST_PATH_VOLUME, 'hostPath represents a pre-existing file or directory on the host machine.'),
  persistentVolumeClaim: field(PVC_VOLUME, 'persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim.'),
});
const NODE_SELECTOR_REQUIREMENT = struct(`${CORE}.NodeSelectorRequirement`,
  'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
    key: str('The label key that the selector applies to.', { required: true }),
    operator: field(enumOf('DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'),
      "Represents a key's relationship to a set of values.", { required: true }),
    values: strList('An array of string values.'),
  });
const NODE_SELECTOR_TERM = struct(`${CORE}.NodeSelectorTerm`, 'A null or empty node selector term matches no objects.', {
  matchExpressions: atomicList(NODE_SELECTOR_REQUIREMENT, "A list of node selector requirements by node's labels."),
  matchFields: atomicList(NODE_SELECTOR_REQUIREMENT, "A list of node selector requirements by node's fields."),
});
export const NODE_SELECTOR = struct(`${CORE}.NodeSelector`, 'A node selector represents the union of the results of one or more label queries over a set of nodes.', {
  nodeSelectorTerms: atomicList(NODE_SELECTOR_TERM, 'Required. A list of node selector terms. The terms are ORed.', { required: true }),
});
const PREFERRED_SCHEDULING_TERM = struct(`${CORE}.PreferredSchedulingTerm`, 'An empty preferred scheduling term matches all objects with implicit weight 0.', {
  weight: i32('Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.', { required: true }),
  preference: field(NODE_SELECTOR_TERM, 'A node selector term, associated with the corresponding weight.', { required: true }),
});
const NODE_AFFINITY = struct(`${CORE}.NodeAffinity`, 'Node affinity is a group of node affinity scheduling rules.', {
  requiredDuringSchedulingIgnoredDuringExecution: field(NODE_SELECTOR, 'Hard node affinity requirements.'),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(PREFERRED_SCHEDULING_TERM, 'Soft node affinity preferences.'),
});
const POD_AFFINITY_TERM = struct(`${CORE}.PodAffinityTerm`, 'Defines a set of pods that this pod should be co-located (affinity) or not co-located (anti-affinity) with.', {
  labelSelector: field(LABEL_SELECTOR, 'A label query over a set of resources, in this case pods.'),
  namespaces: strList('namespaces specifies a static list of namespace names that the term applies to.'),
  topologyKey: str('This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector.',
    { required: true }),
  namespaceSelector: field(LABEL_SELECTOR, 'A label query over the set of namespaces that the term applies to.'),
  matchLabelKeys: strList('MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
  mismatchLabelKeys: strList('MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
});
const WEIGHTED_POD_AFFINITY_TERM = struct(`${CORE}.WeightedPodAffinityTerm`, 'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node.', {
  weight: i32('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.', { required: true }),
  podAffinityTerm: field(POD_AFFINITY_TERM, 'Required. A pod affinity term, associated with the corresponding weight.', { required: true }),
});
const podAffinity = (name: string, what: string) => struct(`${CORE}.${name}`, `${name} is a group of inter pod ${what} scheduling rules.`, {
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(POD_AFFINITY_TERM, `Hard ${what} requirements.`),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(WEIGHTED_POD_AFFINITY_TERM, `Soft ${what} preferences.`),
});
const AFFINITY = struct(`${CORE}.Affinity`, 'Affinity is a group of affinity scheduling rules.', {
  nodeAffinity: field(NODE_AFFINITY, 'Describes node affinity scheduling rules for the pod.'),
  podAffinity: field(podAffinity('PodAffinity', 'affinity'), 'Describes pod affinity scheduling rules.'),
  podAntiAffinity: field(podAffinity('PodAntiAffinity', 'anti-affinity'), 'Describes pod anti-affinity scheduling rules.'),
});
export const TOLERATION = struct(`${CORE}.Toleration`, 'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.', {
  key: str('Key is the taint key that the toleration applies to. Empty means match all taint keys.'),
  operator: field(enumOf('Equal', 'Exists'), "Operator represents a key's relationship to the value."),
  value: str('Value is the taint value the toleration matches to.'),
  effect: field(enumOf('NoExecute', 'NoSchedule', 'PreferNoSchedule'), 'Effect indicates the taint effect to match.'),
  tolerationSeconds: i64('TolerationSeconds represents the period of time the toleration tolerates the taint (NoExecute only).'),
});
const TOPOLOGY_SPREAD_CONSTRAINT = struct(`${CORE}.TopologySpreadConstraint`, 'TopologySpreadConstraint specifies how to spread matching pods among the given topology.', {
  maxSkew: i32('MaxSkew describes the degree to which pods may be unevenly distributed.', { required: true }),
  topologyKey: str('TopologyKey is the key of node labels.', { required: true }),
  whenUnsatisfiable: field(enumOf('DoNotSchedule', 'ScheduleAnyway'),
    "WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint.", { required: true }),
  labelSelector: field(LABEL_SELECTOR, 'LabelSelector is used to find matching pods.'),
  minDomains: i32('MinDomains indicates a minimum number of eligible domains.'),
  nodeAffinityPolicy: str('NodeAffinityPolicy indicates how we will treat Pod\'s nodeAffinity/nodeSelector.'),
  nodeTaintsPolicy: str('NodeTaintsPolicy indicates how we will treat node taints.'),
  matchLabelKeys: strList('MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.'),
});
const POD_SECURITY_CONTEXT = struct(`${CORE}.PodSecurityContext`, 'PodSecurityContext holds pod-level security attributes.', {
  runAsUser: i64('The UID to run the entrypoint of the container process.'),
  runAsGroup: i64('The GID to run the entrypoint of the container process.'),
  runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
  fsGroup: i64('A special supplemental group that applies to all containers in a pod.'),
  supplementalGroups: field(arrayOf({ kind: 'integer', format: 'int64' }, { listType: 'atomic' }),
    'A list of groups applied to the first process run in each container.'),
});
const LOCAL_OBJECT_REFERENCE = struct(`${CORE}.LocalObjectReference`, 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.', {
  name: str('Name of the referent.'),
});
const POD_READINESS_GATE = struct(`${CORE}.PodReadinessGate`, 'PodReadinessGate contains the reference to a pod condition', {
  conditionType: str("ConditionType refers to a condition in the pod's condition list with matching type.", { required: true }),
});
const POD_SCHEDULING_GATE = struct(`${CORE}.PodSchedulingGate`, 'PodSchedulingGate is associated to a Pod to guard its scheduling.', {
  name: str('Name of the scheduling gate.', { required: true }),
});

export const POD_SPEC = struct(`${CORE}.PodSpec`, 'PodSpec is a description of a pod.', {
  volumes: mergeList(VOLUME, 'name', 'List of volumes that can be mounted by containers belonging to the pod.',
    { strategy: 'merge,retainKeys' }),
  initContainers: mergeList(CONTAINER, 'name', 'List of initialization containers belonging to the pod.'),
  containers: { ...mergeList(CONTAINER, 'name', 'List of containers belonging to the pod.'), required: true },
  restartPolicy: field(enumOf('Always', 'Never', 'OnFailure'), 'Restart policy for all containers within the pod.'),
  terminationGracePeriodSeconds: i64('Optional duration in seconds the pod needs to terminate gracefully.'),
  activeDeadlineSeconds: i64('Optional duration in seconds the pod may be active on the node relative to StartTime.'),
  dnsPolicy: field(enumOf('ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'), 'Set DNS policy for the pod.'),
  nodeSelector: strMap("NodeSelector is a selector which must be true for the pod to fit on a node."),
  serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
  serviceAccount: str('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName.'),
  automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.'),
  nodeName: str('NodeName indicates in which node this pod is scheduled.'),
  hostNetwork: bool("Host networking requested for this pod."),
  hostPID: bool("Use the host's pid namespace."),
  hostIPC: bool("Use the host's ipc namespace."),
  securityContext: field(POD_SECURITY_CONTEXT, 'SecurityContext holds pod-level security attributes and common container settings.'),
  imagePullSecrets: mergeList(LOCAL_OBJECT_REFERENCE, 'name', 'ImagePullSecrets is an optional list of references to secrets.'),
  hostname: str("Specifies the hostname of the Pod."),
  subdomain: str('If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".'),
  affinity: field(AFFINITY, "If specified, the pod's scheduling constraints"),
  schedulerName: str('If specified, the pod will be dispatched by specified scheduler.'),
  tolerations: atomicList(TOLERATION, "If specified, the pod's tolerations."),
  priorityClassName: str('If specified, indicates the pod\'s priority.'),
  priority: i32('The priority value. Various system components use this field to find the priority of the pod.'),
  readinessGates: atomicList(POD_READINESS_GATE, 'If specified, all readiness gates will be evaluated for pod readiness.'),
  enableServiceLinks: bool("EnableServiceLinks indicates whether information about services should be injected into pod's environment variables."),
  preemptionPolicy: field(enumOf('Never', 'PreemptLowerPriority'), 'PreemptionPolicy is the Policy for preempting pods with lower priority.'),
  topologySpreadConstraints: mergeList(TOPOLOGY_SPREAD_CONSTRAINT, 'topologyKey',
    'TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.',
    { listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }),
  schedulingGates: mergeList(POD_SCHEDULING_GATE, 'name', 'SchedulingGates is an opaque list of values that if specified will block scheduling the pod.'),
});

// ---- pod status ---------------------------------------------------------------------------

const POD_CONDITION = struct(`${CORE}.PodCondition`, 'PodCondition contains details for the current condition of this pod.', {
  type: str('Type is the type of the condition.', { required: true }),
  status: field(enumOf('False', 'True', 'Unknown'), 'Status is the status of the condition.', { required: true }),
  lastProbeTime: time('Last time we probed the condition.'),
  lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
  reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
  message: str('Human-readable message indicating details about last transition.'),
});
const CONTAINER_STATE = struct(`${CORE}.ContainerState`, 'ContainerState holds a possible state of container.', {
  waiting: field(struct(`${CORE}.ContainerStateWaiting`, 'ContainerStateWaiting is a waiting state of a container.', {
    reason: str('(brief) reason the container is not yet running.'),
    message: str('Message regarding why the container is not yet running.'),
  }), 'Details about a waiting container'),
  running: field(struct(`${CORE}.ContainerStateRunning`, 'ContainerStateRunning is a running state of a container.', {
    startedAt: time('Time at which the container was last (re-)started'),
  }), 'Details about a running container'),
  terminated: field(struct(`${CORE}.ContainerStateTerminated`, 'ContainerStateTerminated is a terminated state of a container.', {
    exitCode: i32('Exit status from the last termination of the container', { required: true }),
    signal: i32('Signal from the last termination of the container'),
    reason: str("(brief) reason from the last termination of the container"),
    message: str('Message regarding the last termination of the container'),
    startedAt: time('Time at which previous execution of the container started'),
    finishedAt: time('Time at which the container last terminated'),
    containerID: str("Container's ID in the format '<type>://<container_id>'"),
  }), 'Details about a terminated container'),
});
const CONTAINER_STATUS = struct(`${CORE}.ContainerStatus`, 'ContainerStatus contains details for the current status of this container.', {
  name: str('Name is a DNS_LABEL representing the unique name of the container.', { required: true }),
  state: field(CONTAINER_STATE, "State holds details about the container's current condition."),
  lastState: field(CONTAINER_STATE, 'LastTerminationState holds the last termination state of the container.'),
  ready: bool('Ready specifies whether the container is currently passing its readiness check.', { required: true }),
  restartCount: i32('RestartCount holds the number of times the container has been restarted.', { required: true }),
  image: str('Image is the name of container image that the container is running.', { required: true }),
  imageID: str("ImageID is the image ID of the container's image.", { required: true }),
  containerID: str("ContainerID is the ID of the container in the format '<type>://<container_id>'."),
  started: bool('Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.'),
});
const POD_IP = struct(`${CORE}.PodIP`, 'PodIP represents a single IP address allocated to the pod.', {
  ip: str('IP is the IP address assigned to the pod', { required: true }),
});
const HOST_IP = struct(`${CORE}.HostIP`, 'HostIP represents a single IP address allocated to the host.', {
  ip: str('IP is the IP address assigned to the host', { required: true }),
});
export const POD_STATUS = struct(`${CORE}.PodStatus`, 'PodStatus represents information about the status of a pod.', {
  phase: field(enumOf('Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'), 'The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle.'),
  conditions: mergeList(POD_CONDITION, 'type', 'Current service state of pod.'),
  message: str('A human readable message indicating details about why the pod is in this condition.'),
  reason: str('A brief CamelCase message indicating details about why the pod is in this state.'),
  nominatedNodeName: str('nominatedNodeName is set only when this pod preempts other pods on the node.'),
  hostIP: str('hostIP holds the IP address of the host to which the pod is assigned.'),
  hostIPs: field(arrayOf(HOST_IP, { listType: 'atomic' }), 'hostIPs holds the IP addresses allocated to the host.',
    { patchStrategy: 'merge', patchMergeKey: 'ip' }),
  podIP: str('podIP address allocated to the pod.'),
  podIPs: mergeList(POD_IP, 'ip', 'podIPs holds the IP addresses allocated to the pod.'),
  startTime: time('RFC 3339 date and time at which the object was acknowledged by the Kubelet.'),
  initContainerStatuses: atomicList(CONTAINER_STATUS, 'The list has one entry per init container in the manifest.'),
  containerStatuses: atomicList(CONTAINER_STATUS, 'The list has one entry per container in the manifest.'),
  qosClass: field(enumOf('BestEffort', 'Burstable', 'Guaranteed'), 'The Quality of Service (QOS) classification assigned to the pod.'),
});

export const POD = kindSchema(`${CORE}.Pod`, gvk('Pod'), 'Pod is a collection of containers that can run on a host.', OBJECT_META, {
  spec: field(POD_SPEC, 'Specification of the desired behavior of the pod.'),
  status: field(POD_STATUS, 'Most recently observed status of the pod.'),
});

export const POD_TEMPLATE_SPEC = struct(`${CORE}.PodTemplateSpec`, 'PodTemplateSpec describes the data a pod should have when created from a template', {
  metadata: field(OBJECT_META, "Standard object's metadata."),
  spec: field(POD_SPEC, 'Specification of the desired behavior of the pod.'),
});

export const OBJECT_REFERENCE = struct(`${CORE}.ObjectReference`, 'ObjectReference contains enough information to let you inspect or modify the referred object.', {
  kind: str('Kind of the referent.'),
  namespace: str('Namespace of the referent.'),
  name: str('Name of the referent.'),
  uid: str('UID of the referent.'),
  apiVersion: str('API version of the referent.'),
  resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
  fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
});

export const BINDING = kindSchema(`${CORE}.Binding`, gvk('Binding'),
  'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.', OBJECT_META, {
    target: field(OBJECT_REFERENCE, 'The target object that you want to bind to the standard object.', { required: true }),
  });

// ---- namespace, node ----------------------------------------------------------------------

const NAMESPACE_CONDITION = struct(`${CORE}.NamespaceCondition`, 'NamespaceCondition contains details about state of namespace.', {
  type: str('Type of namespace controller condition.', { required: true }),
  status: field(enumOf('False', 'True', 'Unknown'), 'Status of the condition, one of True, False, Unknown.', { required: true }),
  lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
  reason: str('Unique, one-word, CamelCase reason for the condition\'s last transition.'),
  message: str('Human-readable message indicating details about last transition.'),
});
export const NAMESPACE = kindSchema(`${CORE}.Namespace`, gvk('Namespace'), 'Namespace provides a scope for Names.', OBJECT_META, {
  spec: field(struct(`${CORE}.NamespaceSpec`, 'NamespaceSpec describes the attributes on a Namespace.', {
    finalizers: strList('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.'),
  }), 'Spec defines the behavior of the Namespace.'),
  status: field(struct(`${CORE}.NamespaceStatus`, 'NamespaceStatus is information about the current status of a Namespace.', {
    phase: field(enumOf('Active', 'Terminating'), 'Phase is the current lifecycle phase of the namespace.'),
    conditions: mergeList(NAMESPACE_CONDITION, 'type', "Represents the latest available observations of a namespace's current state."),
  }), 'Status describes the current status of a Namespace.'),
});

export const TAINT = struct(`${CORE}.Taint`, 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
  key: str('Required. The taint key to be applied to a node.', { required: true }),
  value: str('The taint value corresponding to the taint key.'),
  effect: field(enumOf('NoExecute', 'NoSchedule', 'PreferNoSchedule'), 'Required. The effect of the taint on pods that do not tolerate the taint.',
    { required: true }),
  timeAdded: time('TimeAdded represents the time at which the taint was added.'),
});
const NODE_CONDITION = struct(`${CORE}.NodeCondition`, 'NodeCondition contains condition information for a node.', {
  type: str('Type of node condition.', { required: true }),
  status: field(enumOf('False', 'True', 'Unknown'), 'Status of the condition, one of True, False, Unknown.', { required: true }),
  lastHeartbeatTime: time('Last time we got an update on a given condition.'),
  lastTransitionTime: time('Last time the condition transit from one status to another.'),
  reason: str("(brief) reason for the condition's last transition."),
  message: str('Human readable message indicating details about last transition.'),
});
const NODE_ADDRESS = struct(`${CORE}.NodeAddress`, "NodeAddress contains information for the node's address.", {
  type: str('Node address type, one of Hostname, ExternalIP or InternalIP.', { required: true }),
  address: str('The node address.', { required: true }),
});
const NODE_SYSTEM_INFO = struct(`${CORE}.NodeSystemInfo`, 'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.', {
  machineID: str('MachineID reported by the node.', { required: true }),
  systemUUID: str('SystemUUID reported by the node.', { required: true }),
  bootID: str('Boot ID reported by the node.', { required: true }),
  kernelVersion: str("Kernel Version reported by the node from 'uname -r'.", { required: true }),
  osImage: str('OS Image reported by the node from /etc/os-release.', { required: true }),
  containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API.', { required: true }),
  kubeletVersion: str('Kubelet Version reported by the node.', { required: true }),
  kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.', { required: true }),
  operatingSystem: str('The Operating System reported by the node', { required: true }),
  architecture: str('The Architecture reported by the node', { required: true }),
});
const CONTAINER_IMAGE = struct(`${CORE}.ContainerImage`, 'Describe a container image', {
  names: strList('Names by which this image is known.'),
  sizeBytes: i64('The size of the image in bytes.'),
});
export const NODE = kindSchema(`${CORE}.Node`, gvk('Node'), 'Node is a worker node in Kubernetes.', OBJECT_META, {
  spec: field(struct(`${CORE}.NodeSpec`, 'NodeSpec describes the attributes that a node is created with.', {
    podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
    podCIDRs: field(arrayOf(STRING, { listType: 'set' }), 'podCIDRs represents the IP ranges assigned to the node.',
      { patchStrategy: 'merge' }),
    providerID: str('ID of the node assigned by the cloud provider.'),
    unschedulable: bool('Unschedulable controls node schedulability of new pods.'),
    taints: atomicList(TAINT, "If specified, the node's taints."),
  }), 'Spec defines the behavior of a node.'),
  status: field(struct(`${CORE}.NodeStatus`, 'NodeStatus is information about the current status of a node.', {
    capacity: resourceList('Capacity represents the total resources of a node.'),
    allocatable: resourceList('Allocatable represents the resources of a node that are available for scheduling.'),
    phase: str('NodePhase is the recently observed lifecycle phase of the node.'),
    conditions: mergeList(NODE_CONDITION, 'type', 'Conditions is an array of current observed node conditions.'),
    addresses: mergeList(NODE_ADDRESS, 'type', 'List of addresses reachable to the node.'),
    daemonEndpoints: field(struct(`${CORE}.NodeDaemonEndpoints`, 'NodeDaemonEndpoints lists ports opened by daemons running on the Node.', {
      kubeletEndpoint: field(struct(`${CORE}.DaemonEndpoint`, 'DaemonEndpoint contains information about a single Daemon endpoint.', {
        Port: i32('Port number of the given endpoint.', { required: true }),
      }), 'Endpoint on which Kubelet is listening.'),
    }), 'Endpoints of daemons running on the Node.'),
    nodeInfo: field(NODE_SYSTEM_INFO, 'Set of ids/uuids to uniquely identify the node.'),
    images: atomicList(CONTAINER_IMAGE, 'List of container images on this node'),
  }), 'Most recently observed status of the node.'),
});

// ---- service, endpoints --------------------------------------------------------------------

const SERVICE_PORT = struct(`${CORE}.ServicePort`, "ServicePort contains information on service's port.", {
  name: str('The name of this port within the service. This must be a DNS_LABEL.'),
  protocol: field(enumOf('SCTP', 'TCP', 'UDP'), 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'),
  appProtocol: str('The application protocol for this port.'),
  port: i32('The port that will be exposed by this service.', { required: true }),
  targetPort: field(INT_OR_STRING, 'Number or name of the port to access on the pods targeted by the service.'),
  nodePort: i32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
});
export const SERVICE = kindSchema(`${CORE}.Service`, gvk('Service'),
  'Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on.',
  OBJECT_META, {
    spec: field(struct(`${CORE}.ServiceSpec`, 'ServiceSpec describes the attributes that a user creates on a service.', {
      ports: mergeList(SERVICE_PORT, 'port', 'The list of ports that are exposed by this service.',
        { listMapKeys: ['port', 'protocol'] }),
      selector: strMap('Route service traffic to pods with label keys and values matching this selector.'),
      clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly.'),
      clusterIPs: strList('ClusterIPs is a list of IP addresses assigned to this service.'),
      type: field(enumOf('ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'), 'type determines how the Service is exposed.'),
      externalIPs: strList('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      sessionAffinity: field(enumOf('ClientIP', 'None'), 'Supports "ClientIP" and "None". Used to maintain session affinity.'),
      loadBalancerIP: str('Only applies to Service Type: LoadBalancer.'),
      externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service.'),
      externalTrafficPolicy: field(enumOf('Cluster', 'Local'), 'externalTrafficPolicy describes how nodes distribute service traffic they receive on externally-facing addresses.'),
      internalTrafficPolicy: field(enumOf('Cluster', 'Local'), 'InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.'),
      ipFamilies: strList('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.'),
      ipFamilyPolicy: field(enumOf('PreferDualStack', 'RequireDualStack', 'SingleStack'), 'IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.'),
      publishNotReadyAddresses: bool('publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.'),
      sessionAffinityConfig: field(struct(`${CORE}.SessionAffinityConfig`, 'SessionAffinityConfig represents the configurations of session affinity.', {
        clientIP: field(struct(`${CORE}.ClientIPConfig`, 'ClientIPConfig represents the configurations of Client IP based session affinity.', {
          timeoutSeconds: i32('timeoutSeconds specifies the seconds of ClientIP type session sticky time.'),
        }), 'clientIP contains the configurations of Client IP based session affinity.'),
      }), 'sessionAffinityConfig contains the configurations of session affinity.'),
      allocateLoadBalancerNodePorts: bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.'),
    }), 'Spec defines the behavior of a service.'),
    status: field(struct(`${CORE}.ServiceStatus`, 'ServiceStatus represents the current status of a service.', {
      loadBalancer: field(struct(`${CORE}.LoadBalancerStatus`, 'LoadBalancerStatus represents the status of a load-balancer.', {
        ingress: atomicList(struct(`${CORE}.LoadBalancerIngress`, 'LoadBalancerIngress represents the status of a load-balancer ingress point.', {
          ip: str('IP is set for load-balancer ingress points that are IP based.'),
          hostname: str('Hostname is set for load-balancer ingress points that are DNS based.'),
        }), 'Ingress is a list containing ingress points for the load-balancer.'),
      }), 'LoadBalancer contains the current status of the load-balancer, if one is present.'),
      conditions: mergeList(CONDITION, 'type', 'Current service state'),
    }), 'Most recently observed status of the service.'),
  });

const ENDPOINT_ADDRESS = struct(`${CORE}.EndpointAddress`, 'EndpointAddress is a tuple that describes single IP address.', {
  ip: str('The IP of this endpoint.', { required: true }),
  hostname: str('The Hostname of this endpoint'),
  nodeName: str('Optional: Node hosting this endpoint.'),
  targetRef: field(OBJECT_REFERENCE, 'Reference to object providing the endpoint.'),
});
const ENDPOINT_PORT = struct(`${CORE}.EndpointPort`, 'EndpointPort is a tuple that describes a single port.', {
  name: str('The name of this port.'),
  port: i32('The port number of the endpoint.', { required: true }),
  protocol: field(enumOf('SCTP', 'TCP', 'UDP'), 'The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.'),
  appProtocol: str('The application protocol for this port.'),
});
export const ENDPOINTS = kindSchema(`${CORE}.Endpoints`, gvk('Endpoints'), 'Endpoints is a collection of endpoints that implement the actual service.', OBJECT_META, {
  subsets: atomicList(struct(`${CORE}.EndpointSubset`, 'EndpointSubset is a group of addresses with a common set of ports.', {
    addresses: atomicList(ENDPOINT_ADDRESS, 'IP addresses which offer the related ports that are marked as ready.'),
    notReadyAddresses: atomicList(ENDPOINT_ADDRESS, 'IP addresses which offer the related ports but are not currently marked as ready.'),
    ports: atomicList(ENDPOINT_PORT, 'Port numbers available on the related IP addresses.'),
  }), 'The set of all endpoints is the union of all subsets.'),
});

// ---- configmap, secret, serviceaccount, event, replicationcontroller ---------------------

export const CONFIG_MAP = kindSchema(`${CORE}.ConfigMap`, gvk('ConfigMap'), 'ConfigMap holds configuration data for pods to consume.', OBJECT_META, {
  immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
  data: strMap('Data contains the configuration data.'),
  binaryData: field(mapOf(BYTES), 'BinaryData contains the binary data.'),
});
export const SECRET = kindSchema(`${CORE}.Secret`, gvk('Secret'), 'Secret holds secret data of a certain type.', OBJECT_META, {
  immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated.'),
  data: field(mapOf(BYTES), 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'.'),
  stringData: strMap('stringData allows specifying non-binary secret data in string form.'),
  type: str('Used to facilitate programmatic handling of secret data.'),
});
export const SERVICE_ACCOUNT = kindSchema(`${CORE}.ServiceAccount`, gvk('ServiceAccount'),
  'ServiceAccount binds together: a name, a principal that can be authenticated and authorized, and a set of secrets.', OBJECT_META, {
    secrets: mergeList(OBJECT_REFERENCE, 'name', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    imagePullSecrets: atomicList(LOCAL_OBJECT_REFERENCE, 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images.'),
    automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.'),
  });
export const EVENT = kindSchema(`${CORE}.Event`, gvk('Event'), 'Event is a report of an event somewhere in the cluster.', OBJECT_META, {
  involvedObject: field(OBJECT_REFERENCE, 'The object that this event is about.', { required: true }),
  reason: str('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
  message: str('A human-readable description of the status of this operation.'),
  source: field(struct(`${CORE}.EventSource`, 'EventSource contains information for an event.', {
    component: str('Component from which the event is generated.'),
    host: str('Node name on which the event is generated.'),
  }), 'The component reporting this event.'),
  firstTimestamp: time('The time at which the event was first recorded.'),
  lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
  count: i32('The number of times this event has occurred.'),
  type: str('Type of this event (Normal, Warning), new types could be added in the future'),
  eventTime: field(MICRO_TIME, 'Time when this Event was first observed.'),
  series: field(struct(`${CORE}.EventSeries`, 'EventSeries contain information on series of events.', {
    count: i32('Number of occurrences in this series up to the last heartbeat time'),
    lastObservedTime: field(MICRO_TIME, 'Time of the last occurrence observed'),
  }), 'Data about the Event series this event represents or nil if it\'s a singleton Event.'),
  action: str('What action was taken/failed regarding to the Regarding object.'),
  related: field(OBJECT_REFERENCE, 'Optional secondary object for more complex actions.'),
  reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
  reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
});
const RC_CONDITION = struct(`${CORE}.ReplicationControllerCondition`, 'ReplicationControllerCondition describes the state of a replication controller at a certain point.', {
  type: str('Type of replication controller condition.', { required: true }),
  status: field(enumOf('False', 'True', 'Unknown'), 'Status of the condition, one of True, False, Unknown.', { required: true }),
  lastTransitionTime: time('The last time the condition transitioned from one status to another.'),
  reason: str("The reason for the condition's last transition."),
  message: str('A human readable message indicating details about the transition.'),
});
export const REPLICATION_CONTROLLER = kindSchema(`${CORE}.ReplicationController`, gvk('ReplicationController'),
  'ReplicationController represents the configuration of a replication controller.', OBJECT_META, {
    spec: field(struct(`${CORE}.ReplicationControllerSpec`, 'ReplicationControllerSpec is the specification of a replication controller.', {
      replicas: i32('Replicas is the number of desired replicas. Defaults to 1.'),
      minReadySeconds: i32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing.'),
      selector: strMap('Selector is a label query over pods that should match the Replicas count.'),
      template: field(POD_TEMPLATE_SPEC, 'Template is the object that describes the pod that will be created if insufficient replicas are detected.'),
    }), 'Spec defines the specification of the desired behavior of the replication controller.'),
    status: field(struct(`${CORE}.ReplicationControllerStatus`, 'ReplicationControllerStatus represents the current status of a replication controller.', {
      replicas: i32('Replicas is the most recently observed number of replicas.', { required: true }),
      fullyLabeledReplicas: i32('The number of pods that have labels matching the labels of the pod template of the replication controller.'),
      readyReplicas: i32('The number of ready replicas for this replication controller.'),
      availableReplicas: i32('The number of available replicas (ready for at least minReadySeconds) for this replication controller.'),
      observedGeneration: i64('ObservedGeneration reflects the generation of the most recently observed replication controller.'),
      conditions: mergeList(RC_CONDITION, 'type', "Represents the latest available observations of a replication controller's current state."),
    }), 'Status is the most recently observed status of the replication controller.'),
  });

export const CORE_KINDS: readonly ObjectSchema[] = [POD, NAMESPACE, NODE, SERVICE, ENDPOINTS, CONFIG_MAP, SECRET,
  SERVICE_ACCOUNT, EVENT, REPLICATION_CONTROLLER, BINDING];
