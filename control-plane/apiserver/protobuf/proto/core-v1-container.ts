// k8s.io/api core/v1: Container and what it embeds (ports, env, resources, probes, volumes).

import { bool, f, i32, i64, message, str, strs, type MessageDesc } from './dsl.js';

const CONTAINER: readonly MessageDesc[] = [
  message('Container', [
    str(1, 'name', 'keep'), str(2, 'image'), strs(3, 'command'), strs(4, 'args'), str(5, 'workingDir'),
    f(6, 'ports', 'ContainerPort', 'list'), f(19, 'envFrom', 'EnvFromSource', 'list'), f(7, 'env', 'EnvVar', 'list'),
    f(8, 'resources', 'ResourceRequirements'), f(23, 'resizePolicy', 'ContainerResizePolicy', 'list'),
    str(24, 'restartPolicy', 'ptr'), f(9, 'volumeMounts', 'VolumeMount', 'list'),
    f(21, 'volumeDevices', 'VolumeDevice', 'list'), f(10, 'livenessProbe', 'Probe', 'ptr'),
    f(11, 'readinessProbe', 'Probe', 'ptr'), f(22, 'startupProbe', 'Probe', 'ptr'),
    f(12, 'lifecycle', 'Lifecycle', 'ptr'), str(13, 'terminationMessagePath'), str(20, 'terminationMessagePolicy'),
    str(14, 'imagePullPolicy'), f(15, 'securityContext', 'SecurityContext', 'ptr'), bool(16, 'stdin'),
    bool(17, 'stdinOnce'), bool(18, 'tty'),
  ]),
  message('ContainerPort', [
    str(1, 'name'), i32(2, 'hostPort'), i32(3, 'containerPort', 'keep'), str(4, 'protocol'), str(5, 'hostIP'),
  ]),
  message('ContainerResizePolicy', [str(1, 'resourceName', 'keep'), str(2, 'restartPolicy', 'keep')]),
  message('EnvFromSource', [
    str(1, 'prefix'), f(2, 'configMapRef', 'ConfigMapEnvSource', 'ptr'), f(3, 'secretRef', 'SecretEnvSource', 'ptr'),
  ]),
  message('ConfigMapEnvSource', [f(1, 'localObjectReference', 'LocalObjectReference', 'inline'), bool(2, 'optional', 'ptr')]),
  message('SecretEnvSource', [f(1, 'localObjectReference', 'LocalObjectReference', 'inline'), bool(2, 'optional', 'ptr')]),
  message('EnvVar', [str(1, 'name', 'keep'), str(2, 'value'), f(3, 'valueFrom', 'EnvVarSource', 'ptr')]),
  message('EnvVarSource', [
    f(1, 'fieldRef', 'ObjectFieldSelector', 'ptr'), f(2, 'resourceFieldRef', 'ResourceFieldSelector', 'ptr'),
    f(3, 'configMapKeyRef', 'ConfigMapKeySelector', 'ptr'), f(4, 'secretKeyRef', 'SecretKeySelector', 'ptr'),
  ]),
  message('ObjectFieldSelector', [str(1, 'apiVersion'), str(2, 'fieldPath', 'keep')]),
  message('ResourceFieldSelector', [str(1, 'containerName'), str(2, 'resource', 'keep'), f(3, 'divisor', 'Quantity')]),
  message('ConfigMapKeySelector', [
    f(1, 'localObjectReference', 'LocalObjectReference', 'inline'), str(2, 'key', 'keep'), bool(3, 'optional', 'ptr'),
  ]),
  message('SecretKeySelector', [
    f(1, 'localObjectReference', 'LocalObjectReference', 'inline'), str(2, 'key', 'keep'), bool(3, 'optional', 'ptr'),
  ]),
  message('ResourceRequirements', [
    f(1, 'limits', 'Quantity', 'map'), f(2, 'requests', 'Quantity', 'map'), f(3, 'claims', 'ResourceClaim', 'list'),
  ]),
  message('ResourceClaim', [str(1, 'name', 'keep'), str(2, 'request')]),
  message('VolumeMount', [
    str(1, 'name', 'keep'), bool(2, 'readOnly'), str(7, 'recursiveReadOnly', 'ptr'), str(3, 'mountPath', 'keep'),
    str(4, 'subPath'), str(5, 'mountPropagation', 'ptr'), str(6, 'subPathExpr'),
  ]),
  message('VolumeDevice', [str(1, 'name', 'keep'), str(2, 'devicePath', 'keep')]),
  message('SecurityContext', [
    f(1, 'capabilities', 'Capabilities', 'ptr'), bool(2, 'privileged', 'ptr'),
    f(3, 'seLinuxOptions', 'SELinuxOptions', 'ptr'), f(10, 'windowsOptions', 'WindowsSecurityContextOptions', 'ptr'),
    i64(4, 'runAsUser', 'ptr'), i64(8, 'runAsGroup', 'ptr'), bool(5, 'runAsNonRoot', 'ptr'),
    bool(6, 'readOnlyRootFilesystem', 'ptr'), bool(7, 'allowPrivilegeEscalation', 'ptr'), str(9, 'procMount', 'ptr'),
    f(11, 'seccompProfile', 'SeccompProfile', 'ptr'), f(12, 'appArmorProfile', 'AppArmorProfile', 'ptr'),
  ]),
  message('Capabilities', [strs(1, 'add'), strs(2, 'drop')]),
];

const PROBES: readonly MessageDesc[] = [
  message('Probe', [
    f(1, 'handler', 'ProbeHandler', 'inline'), i32(2, 'initialDelaySeconds'), i32(3, 'timeoutSeconds'),
    i32(4, 'periodSeconds'), i32(5, 'successThreshold'), i32(6, 'failureThreshold'),
    i64(7, 'terminationGracePeriodSeconds', 'ptr'),
  ]),
  message('ProbeHandler', [
    f(1, 'exec', 'ExecAction', 'ptr'), f(2, 'httpGet', 'HTTPGetAction', 'ptr'),
    f(3, 'tcpSocket', 'TCPSocketAction', 'ptr'), f(4, 'grpc', 'GRPCAction', 'ptr'),
  ]),
  message('Lifecycle', [
    f(1, 'postStart', 'LifecycleHandler', 'ptr'), f(2, 'preStop', 'LifecycleHandler', 'ptr'),
    str(3, 'stopSignal', 'ptr'),
  ]),
  message('LifecycleHandler', [
    f(1, 'exec', 'ExecAction', 'ptr'), f(2, 'httpGet', 'HTTPGetAction', 'ptr'),
    f(3, 'tcpSocket', 'TCPSocketAction', 'ptr'), f(4, 'sleep', 'SleepAction', 'ptr'),
  ]),
  message('ExecAction', [strs(1, 'command')]),
  message('HTTPGetAction', [
    str(1, 'path'), f(2, 'port', 'IntOrString', 'keep'), str(3, 'host'), str(4, 'scheme'),
    f(5, 'httpHeaders', 'HTTPHeader', 'list'),
  ]),
  message('HTTPHeader', [str(1, 'name', 'keep'), str(2, 'value', 'keep')]),
  message('TCPSocketAction', [f(1, 'port', 'IntOrString', 'keep'), str(2, 'host')]),
  message('GRPCAction', [i32(1, 'port', 'keep'), str(2, 'service', 'null')]),
  message('SleepAction', [i64(1, 'seconds', 'keep')]),
];

const VOLUMES: readonly MessageDesc[] = [
  message('Volume', [str(1, 'name', 'keep'), f(2, 'volumeSource', 'VolumeSource', 'inline')]),
  message('VolumeSource', [
    f(1, 'hostPath', 'HostPathVolumeSource', 'ptr'), f(2, 'emptyDir', 'EmptyDirVolumeSource', 'ptr'),
    f(6, 'secret', 'SecretVolumeSource', 'ptr'),
    f(10, 'persistentVolumeClaim', 'PersistentVolumeClaimVolumeSource', 'ptr'),
    f(16, 'downwardAPI', 'DownwardAPIVolumeSource', 'ptr'), f(19, 'configMap', 'ConfigMapVolumeSource', 'ptr'),
    f(26, 'projected', 'ProjectedVolumeSource', 'ptr'),
  ]),
  message('HostPathVolumeSource', [str(1, 'path', 'keep'), str(2, 'type', 'ptr')]),
  message('EmptyDirVolumeSource', [str(1, 'medium'), f(2, 'sizeLimit', 'Quantity', 'ptr')]),
  message('SecretVolumeSource', [
    str(1, 'secretName'), f(2, 'items', 'KeyToPath', 'list'), i32(3, 'defaultMode', 'ptr'), bool(4, 'optional', 'ptr'),
  ]),
  message('ConfigMapVolumeSource', [
    f(1, 'localObjectReference', 'LocalObjectReference', 'inline'), f(2, 'items', 'KeyToPath', 'list'),
    i32(3, 'defaultMode', 'ptr'), bool(4, 'optional', 'ptr'),
  ]),
  message('PersistentVolumeClaimVolumeSource', [str(1, 'claimName', 'keep'), bool(2, 'readOnly')]),
  message('KeyToPath', [str(1, 'key', 'keep'), str(2, 'path', 'keep'), i32(3, 'mode', 'ptr')]),
  message('DownwardAPIVolumeSource', [f(1, 'items', 'DownwardAPIVolumeFile', 'list'), i32(2, 'defaultMode', 'ptr')]),
  message('DownwardAPIVolumeFile', [
    str(1, 'path', 'keep'), f(2, 'fieldRef', 'ObjectFieldSelector', 'ptr'),
    f(3, 'resourceFieldRef', 'ResourceFieldSelector', 'ptr'), i32(4, 'mode', 'ptr'),
  ]),
  message('ProjectedVolumeSource', [f(1, 'sources', 'VolumeProjection', 'list', 'keep'), i32(2, 'defaultMode', 'ptr')]),
  message('VolumeProjection', [
    f(1, 'secret', 'SecretProjection', 'ptr'), f(2, 'downwardAPI', 'DownwardAPIProjection', 'ptr'),
    f(3, 'configMap', 'ConfigMapProjection', 'ptr'),
    f(4, 'serviceAccountToken', 'ServiceAccountTokenProjection', 'ptr'),
  ]),
  message('SecretProjection', [
    f(1, 'localObjectReference', 'LocalObjectReference', 'inline'), f(2, 'items', 'KeyToPath', 'list'),
    bool(4, 'optional', 'ptr'),
  ]),
  message('ConfigMapProjection', [
    f(1, 'localObjectReference', 'LocalObjectReference', 'inline'), f(2, 'items', 'KeyToPath', 'list'),
    bool(4, 'optional', 'ptr'),
  ]),
  message('DownwardAPIProjection', [f(1, 'items', 'DownwardAPIVolumeFile', 'list')]),
  message('ServiceAccountTokenProjection', [str(1, 'audience'), i64(2, 'expirationSeconds', 'ptr'), str(3, 'path', 'keep')]),
];

export const CORE_V1_CONTAINER: readonly MessageDesc[] = [...CONTAINER, ...PROBES, ...VOLUMES];
