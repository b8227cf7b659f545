// k8s.io/api core/v1 messages: the objects kubectl's typed clients send and what they embed
// (a pod template as `kubectl create deployment|job` builds it, with the common optional parts).

import { bool, f, i32, i64, message, objectMeta, str, strMap, strs, type MessageDesc } from './dsl.js';

const OBJECTS: readonly MessageDesc[] = [
  message('ConfigMap', [
    objectMeta(), bool(4, 'immutable', 'ptr'), strMap(2, 'data'), f(3, 'binaryData', 'bytes', 'map'),
  ]),
  message('Secret', [
    objectMeta(), bool(5, 'immutable', 'ptr'), f(2, 'data', 'bytes', 'map'), strMap(4, 'stringData'), str(3, 'type'),
  ]),
  message('Namespace', [objectMeta(), f(2, 'spec', 'NamespaceSpec'), f(3, 'status', 'NamespaceStatus')]),
  message('NamespaceSpec', [strs(1, 'finalizers')]),
  message('NamespaceStatus', [str(1, 'phase'), f(2, 'conditions', 'NamespaceCondition', 'list')]),
  message('NamespaceCondition', [
    str(1, 'type', 'keep'), str(2, 'status', 'keep'), f(4, 'lastTransitionTime', 'Time'),
    str(5, 'reason'), str(6, 'message'),
  ]),
  message('ServiceAccount', [
    objectMeta(), f(2, 'secrets', 'ObjectReference', 'list'),
    f(3, 'imagePullSecrets', 'LocalObjectReference', 'list'), bool(4, 'automountServiceAccountToken', 'ptr'),
  ]),
  message('ObjectReference', [
    str(1, 'kind'), str(2, 'namespace'), str(3, 'name'), str(4, 'uid'), str(5, 'apiVersion'),
    str(6, 'resourceVersion'), str(7, 'fieldPath'),
  ]),
  message('LocalObjectReference', [str(1, 'name')]),
  message('Pod', [objectMeta(), f(2, 'spec', 'PodSpec'), f(3, 'status', 'PodStatus')]),
  message('PodStatus', [
    str(1, 'phase'), str(3, 'message'), str(4, 'reason'), str(11, 'nominatedNodeName'), str(5, 'hostIP'),
    str(6, 'podIP'), f(7, 'startTime', 'Time', 'ptr'), str(9, 'qosClass'),
  ]),
  message('PodTemplateSpec', [objectMeta(), f(2, 'spec', 'PodSpec')]),
];

const SERVICE: readonly MessageDesc[] = [
  message('Service', [objectMeta(), f(2, 'spec', 'ServiceSpec'), f(3, 'status', 'ServiceStatus')]),
  message('ServiceSpec', [
    f(1, 'ports', 'ServicePort', 'list'), strMap(2, 'selector'), str(3, 'clusterIP'), strs(18, 'clusterIPs'),
    str(4, 'type'), strs(5, 'externalIPs'), str(7, 'sessionAffinity'), str(8, 'loadBalancerIP'),
    strs(9, 'loadBalancerSourceRanges'), str(10, 'externalName'), str(11, 'externalTrafficPolicy'),
    i32(12, 'healthCheckNodePort'), bool(13, 'publishNotReadyAddresses'),
    f(14, 'sessionAffinityConfig', 'SessionAffinityConfig', 'ptr'), strs(19, 'ipFamilies'),
    str(17, 'ipFamilyPolicy', 'ptr'), bool(20, 'allocateLoadBalancerNodePorts', 'ptr'),
    str(21, 'loadBalancerClass', 'ptr'), str(22, 'internalTrafficPolicy', 'ptr'),
    str(23, 'trafficDistribution', 'ptr'),
  ]),
  message('ServicePort', [
    str(1, 'name'), str(2, 'protocol'), str(6, 'appProtocol', 'ptr'), i32(3, 'port', 'keep'),
    f(4, 'targetPort', 'IntOrString'), i32(5, 'nodePort'),
  ]),
  message('SessionAffinityConfig', [f(1, 'clientIP', 'ClientIPConfig', 'ptr')]),
  message('ClientIPConfig', [i32(1, 'timeoutSeconds', 'ptr')]),
  message('ServiceStatus', [
    f(1, 'loadBalancer', 'LoadBalancerStatus'), f(2, 'conditions', 'Condition', 'list'),
  ]),
  message('LoadBalancerStatus', [f(1, 'ingress', 'LoadBalancerIngress', 'list')]),
  message('LoadBalancerIngress', [
    str(1, 'ip'), str(2, 'hostname'), str(3, 'ipMode', 'ptr'), f(4, 'ports', 'PortStatus', 'list'),
  ]),
  message('PortStatus', [i32(1, 'port', 'keep'), str(2, 'protocol', 'keep'), str(3, 'error', 'ptr')]),
];

const POD_SPEC: readonly MessageDesc[] = [
  message('PodSpec', [
    f(1, 'volumes', 'Volume', 'list'), f(20, 'initContainers', 'Container', 'list'),
    f(2, 'containers', 'Container', 'list', 'keep'), str(3, 'restartPolicy'),
    i64(4, 'terminationGracePeriodSeconds', 'ptr'), i64(5, 'activeDeadlineSeconds', 'ptr'), str(6, 'dnsPolicy'),
    strMap(7, 'nodeSelector'), str(8, 'serviceAccountName'), str(9, 'serviceAccount'),
    bool(21, 'automountServiceAccountToken', 'ptr'), str(10, 'nodeName'), bool(11, 'hostNetwork'),
    bool(12, 'hostPID'), bool(13, 'hostIPC'), bool(27, 'shareProcessNamespace', 'ptr'),
    f(14, 'securityContext', 'PodSecurityContext', 'ptr'),
    f(15, 'imagePullSecrets', 'LocalObjectReference', 'list'), str(16, 'hostname'), str(17, 'subdomain'),
    f(18, 'affinity', 'Affinity', 'ptr'), str(19, 'schedulerName'), f(22, 'tolerations', 'Toleration', 'list'),
    f(23, 'hostAliases', 'HostAlias', 'list'), str(24, 'priorityClassName'), i32(25, 'priority', 'ptr'),
    f(26, 'dnsConfig', 'PodDNSConfig', 'ptr'), f(28, 'readinessGates', 'PodReadinessGate', 'list'),
    str(29, 'runtimeClassName', 'ptr'), bool(30, 'enableServiceLinks', 'ptr'), str(31, 'preemptionPolicy', 'ptr'),
    f(32, 'overhead', 'Quantity', 'map'), f(33, 'topologySpreadConstraints', 'TopologySpreadConstraint', 'list'),
    bool(35, 'setHostnameAsFQDN', 'ptr'), f(36, 'os', 'PodOS', 'ptr'), bool(37, 'hostUsers', 'ptr'),
    f(38, 'schedulingGates', 'PodSchedulingGate', 'list'), f(40, 'resources', 'ResourceRequirements', 'ptr'),
  ]),
  message('PodOS', [str(1, 'name', 'keep')]),
  message('PodSchedulingGate', [str(1, 'name', 'keep')]),
  message('PodReadinessGate', [str(1, 'conditionType', 'keep')]),
  message('HostAlias', [str(1, 'ip', 'keep'), strs(2, 'hostnames')]),
  message('PodDNSConfig', [strs(1, 'nameservers'), strs(2, 'searches'), f(3, 'options', 'PodDNSConfigOption', 'list')]),
  message('PodDNSConfigOption', [str(1, 'name'), str(2, 'value', 'ptr')]),
  message('PodSecurityContext', [
    f(1, 'seLinuxOptions', 'SELinuxOptions', 'ptr'), f(8, 'windowsOptions', 'WindowsSecurityContextOptions', 'ptr'),
    i64(2, 'runAsUser', 'ptr'), i64(6, 'runAsGroup', 'ptr'), bool(3, 'runAsNonRoot', 'ptr'),
    f(4, 'supplementalGroups', 'int64', 'list'), str(12, 'supplementalGroupsPolicy', 'ptr'), i64(5, 'fsGroup', 'ptr'),
    f(7, 'sysctls', 'Sysctl', 'list'), str(9, 'fsGroupChangePolicy', 'ptr'),
    f(10, 'seccompProfile', 'SeccompProfile', 'ptr'), f(11, 'appArmorProfile', 'AppArmorProfile', 'ptr'),
    str(13, 'seLinuxChangePolicy', 'ptr'),
  ]),
  message('Sysctl', [str(1, 'name', 'keep'), str(2, 'value', 'keep')]),
  message('SELinuxOptions', [str(1, 'user'), str(2, 'role'), str(3, 'type'), str(4, 'level')]),
  message('WindowsSecurityContextOptions', [
    str(1, 'gmsaCredentialSpecName', 'ptr'), str(2, 'gmsaCredentialSpec', 'ptr'), str(3, 'runAsUserName', 'ptr'),
    bool(4, 'hostProcess', 'ptr'),
  ]),
  message('SeccompProfile', [str(1, 'type', 'keep'), str(2, 'localhostProfile', 'ptr')]),
  message('AppArmorProfile', [str(1, 'type', 'keep'), str(2, 'localhostProfile', 'ptr')]),
  message('Toleration', [
    str(1, 'key'), str(2, 'operator'), str(3, 'value'), str(4, 'effect'), i64(5, 'tolerationSeconds', 'ptr'),
  ]),
  message('TopologySpreadConstraint', [
    i32(1, 'maxSkew', 'keep'), str(2, 'topologyKey', 'keep'), str(3, 'whenUnsatisfiable', 'keep'),
    f(4, 'labelSelector', 'LabelSelector', 'ptr'), i32(5, 'minDomains', 'ptr'), str(6, 'nodeAffinityPolicy', 'ptr'),
    str(7, 'nodeTaintsPolicy', 'ptr'), strs(8, 'matchLabelKeys'),
  ]),
];

const AFFINITY: readonly MessageDesc[] = [
  message('Affinity', [
    f(1, 'nodeAffinity', 'NodeAffinity', 'ptr'), f(2, 'podAffinity', 'PodAffinity', 'ptr'),
    f(3, 'podAntiAffinity', 'PodAntiAffinity', 'ptr'),
  ]),
  message('NodeAffinity', [
    f(1, 'requiredDuringSchedulingIgnoredDuringExecution', 'NodeSelector', 'ptr'),
    f(2, 'preferredDuringSchedulingIgnoredDuringExecution', 'PreferredSchedulingTerm', 'list'),
  ]),
  message('NodeSelector', [f(1, 'nodeSelectorTerms', 'NodeSelectorTerm', 'list', 'keep')]),
  message('NodeSelectorTerm', [
    f(1, 'matchExpressions', 'NodeSelectorRequirement', 'list'),
    f(2, 'matchFields', 'NodeSelectorRequirement', 'list'),
  ]),
  message('NodeSelectorRequirement', [str(1, 'key', 'keep'), str(2, 'operator', 'keep'), strs(3, 'values')]),
  message('PreferredSchedulingTerm', [i32(1, 'weight', 'keep'), f(2, 'preference', 'NodeSelectorTerm')]),
  message('PodAffinity', [
    f(1, 'requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm', 'list'),
    f(2, 'preferredDuringSchedulingIgnoredDuringExecution', 'WeightedPodAffinityTerm', 'list'),
  ]),
  message('PodAntiAffinity', [
    f(1, 'requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm', 'list'),
    f(2, 'preferredDuringSchedulingIgnoredDuringExecution', 'WeightedPodAffinityTerm', 'list'),
  ]),
  message('PodAffinityTerm', [
    f(1, 'labelSelector', 'LabelSelector', 'ptr'), strs(2, 'namespaces'), str(3, 'topologyKey', 'keep'),
    f(4, 'namespaceSelector', 'LabelSelector', 'ptr'), strs(5, 'matchLabelKeys'), strs(6, 'mismatchLabelKeys'),
  ]),
  message('WeightedPodAffinityTerm', [i32(1, 'weight', 'keep'), f(2, 'podAffinityTerm', 'PodAffinityTerm')]),
];

export const CORE_V1: readonly MessageDesc[] = [...OBJECTS, ...SERVICE, ...POD_SPEC, ...AFFINITY];
