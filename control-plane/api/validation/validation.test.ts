// Validation: Kubernetes' exact messages for names, metadata, pods, workloads, services and
// the rest; update immutability; and a property that any well-typed object validates to a
// Status or null without throwing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDefaults } from '../defaults/index.js';
import { ALL_KINDS } from '../schema/index.js';
import { arbitraryOf } from '../testing/arbitrary.js';
import { params, seed } from '../testing/fc.js';
import { copy, daemonSet, deployment, pod, replicaSet, service } from '../testing/objects.js';
import type { GroupVersionKind } from '../schema/dsl.js';
import type { Status } from '../types/meta.js';
import { errorString } from './field-errors.js';
import { validate, validateFields, validateDeleteOptions } from './index.js';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName } from './names.js';

test.after(() => console.log(`validation properties ran with FC_SEED=${seed}`));

const POD: GroupVersionKind = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'Deployment' };
const SERVICE: GroupVersionKind = { group: '', version: 'v1', kind: 'Service' };

const messages = (gvk: GroupVersionKind, obj: unknown, op: 'create' | 'update' | 'status' = 'create', old?: unknown): string[] =>
  validateFields(gvk, op, obj, old).map(errorString);

test('the Deployment example from the brief, byte for byte', () => {
  const d = deployment();
  d.spec!.replicas = -1;
  const status = validate(DEPLOYMENT, 'create', d) as Status;
  assert.equal(status.message, 'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.equal(status.code, 422);
  assert.equal(status.reason, 'Invalid');
  assert.deepEqual(status.details, { name: 'x', group: 'apps', kind: 'Deployment', causes: [
    { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }] });
});

test('name format messages', () => {
  assert.deepEqual(isDns1123Subdomain('Foo'), ["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]);
  assert.deepEqual(isDns1123Label('a_b'), ["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]);
  assert.deepEqual(isDns1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDns1035Label('1abc'), ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]);
  assert.deepEqual(isDns1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isQualifiedName('a/b/c'), ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('example.com/').length, 2, 'empty name part: non-empty and regex messages');
  assert.deepEqual(isValidLabelValue('-x'), ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]);
  assert.deepEqual(isValidPortName('Http--1-'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'must not contain consecutive hyphens', 'must not begin or end with a hyphen']);
});

test('object metadata: name, namespace, labels, annotations, owner references', () => {
  const p = pod();
  p.metadata = { name: 'Bad_Name', labels: { 'a/b/c': 'x', ok: '-bad' }, annotations: { big: 'x'.repeat(256 * 1024) },
    ownerReferences: [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
      { apiVersion: '', kind: 'B', name: 'b', uid: '', controller: true }] };
  const msgs = messages(POD, p);
  assert.ok(msgs.some((m) => m.startsWith('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain')));
  assert.ok(msgs.includes('metadata.namespace: Required value'));
  assert.ok(msgs.some((m) => m.startsWith('metadata.labels: Invalid value: "a/b/c": a qualified name')));
  assert.ok(msgs.some((m) => m.startsWith('metadata.labels: Invalid value: "-bad": a valid label')));
  assert.ok(msgs.includes('metadata.annotations: Too long: may not be more than 262144 bytes'));
  assert.ok(msgs.includes('metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty'));
  assert.ok(msgs.includes('metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'));
  assert.ok(msgs.some((m) => m.endsWith('Only one reference can have Controller set to true. Found "true" in references for A/a and B/b')));
  const noName = pod();
  delete noName.metadata!.name;
  assert.ok(messages(POD, noName).includes('metadata.name: Required value: name or generateName is required'));
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', namespace: 'x' } };
  assert.ok(messages({ group: '', version: 'v1', kind: 'Namespace' }, ns).includes('metadata.namespace: Forbidden: not allowed on this type'));
});

test('pod spec: containers, ports, env, volumes, resources, probes', () => {
  const empty = pod();
  empty.spec!.containers = [];
  assert.deepEqual(messages(POD, empty), ['spec.containers: Required value']);
  const p = pod({ spec: {
    volumes: [{ name: 'data' }, { name: 'data' }, { name: 'cfg', configMap: {}, secret: { secretName: 's' } }],
    containers: [
      { name: 'app', image: '', ports: [{ containerPort: 0 }, { containerPort: 70000, protocol: 'FOO', name: 'a' }, { containerPort: 81, name: 'a' }],
        env: [{ name: '1BAD' }, { name: 'X', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        volumeMounts: [{ name: 'nope', mountPath: '/a' }, { name: 'data', mountPath: '/a' }],
        resources: { limits: { cpu: '1' }, requests: { cpu: '2', memory: '-1' } },
        livenessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 }, successThreshold: 2 } },
      { name: 'app', image: 'x' },
    ],
  } });
  const msgs = messages(POD, p);
  const want = [
    'spec.volumes[1].name: Duplicate value: "data"',
    'spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type',
    'spec.containers[0].image: Required value',
    'spec.containers[0].ports[0].containerPort: Required value',
    'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].protocol: Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[0].ports[2].name: Duplicate value: "a"',
    'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
    'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    'spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[1].name: Duplicate value: "app"',
  ];
  for (const w of want) assert.ok(msgs.includes(w), `missing: ${w}\n got: ${msgs.join('\n      ')}`);
  assert.ok(msgs.some((m) => m.startsWith('spec.containers[0].env[0].name: Invalid value: "1BAD": a valid environment variable name')));
});

test('pod spec: policies, tolerations, affinity, topology spread', () => {
  const p = pod();
  Object.assign(p.spec!, {
    restartPolicy: 'Sometimes', dnsPolicy: 'Maybe', activeDeadlineSeconds: 0, nodeName: 'Node_1',
    tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', tolerationSeconds: 5, effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: '' } }] } },
    topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
  });
  const msgs = messages(POD, p);
  const want = [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Maybe": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
    'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    'spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
    'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
    'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Required value: can not be empty',
    'spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    'spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"',
  ];
  for (const w of want) assert.ok(msgs.includes(w), `missing: ${w}\n got: ${msgs.join('\n      ')}`);
  assert.ok(msgs.some((m) => m.startsWith('spec.nodeName: Invalid value: "Node_1"')));
  assert.ok(msgs.some((m) => m.startsWith('spec.tolerations[1].operator: Invalid value: ') && m.endsWith("value must be empty when `operator` is 'Exists'")));
});

test('pod updates: only images, activeDeadlineSeconds and added tolerations may change', () => {
  const old = pod();
  old.metadata!.resourceVersion = '5';
  const ok = copy(old);
  ok.spec!.containers[0]!.image = 'nginx:1.26';
  ok.spec!.tolerations = [{ key: 'k', operator: 'Exists' }];
  assert.deepEqual(messages(POD, ok, 'update', old), []);
  const bad = copy(old);
  bad.spec!.nodeName = 'n1';
  bad.spec!.restartPolicy = 'Never';
  const msgs = messages(POD, bad, 'update', old);
  assert.equal(msgs.length, 1);
  assert.ok(msgs[0]!.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
  assert.match(msgs[0]!, /spec\.nodeName: null -> "n1"/);
  const removed = copy(old);
  removed.spec!.containers.push({ name: 'b', image: 'b', terminationMessagePolicy: 'File', imagePullPolicy: 'Always' });
  assert.ok(messages(POD, removed, 'update', old).includes('spec.containers: Forbidden: pod updates may not add or remove containers'));
  const renamed = copy(old);
  renamed.metadata!.name = 'other';
  assert.ok(messages(POD, renamed, 'update', old).includes('metadata.name: Invalid value: "other": field is immutable'));
  const noRv = copy(old);
  delete noRv.metadata!.resourceVersion;
  assert.ok(messages(POD, noRv, 'update', old).includes('metadata.resourceVersion: Invalid value: "": must be specified for an update'));
});

test('pod status updates and bindings', () => {
  const old = pod();
  old.metadata!.resourceVersion = '1';
  old.spec!.restartPolicy = 'Never';
  old.status = { containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0 } } }] };
  const next = copy(old);
  next.status = { podIPs: [{ ip: 'not-an-ip' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] };
  const msgs = messages(POD, next, 'status', old);
  assert.ok(msgs.includes('status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state'));
  assert.ok(msgs.includes('status.podIPs[0]: Invalid value: "not-an-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'default' }, target: { kind: 'Pod' } };
  assert.deepEqual(messages({ group: '', version: 'v1', kind: 'Binding' }, binding),
    ['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"', 'target.name: Required value']);
});

test('deployments, replica sets and daemon sets', () => {
  const d = deployment();
  d.spec!.selector = {};
  d.spec!.template.metadata!.labels = { app: 'y' };
  d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } };
  d.spec!.template.spec!.restartPolicy = 'Never';
  d.spec!.progressDeadlineSeconds = 5;
  d.spec!.minReadySeconds = 10;
  const msgs = messages(DEPLOYMENT, d);
  const want = [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
  ];
  for (const w of want) assert.ok(msgs.includes(w), `missing: ${w}\n got: ${msgs.join('\n      ')}`);
  const mismatch = deployment();
  mismatch.spec!.template.metadata!.labels = { app: 'y' };
  assert.deepEqual(messages(DEPLOYMENT, mismatch), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`']);
  const old = deployment();
  old.metadata!.resourceVersion = '3';
  const moved = copy(old);
  moved.spec!.selector = { matchLabels: { app: 'z' } };
  moved.spec!.template.metadata!.labels = { app: 'z' };
  assert.deepEqual(messages(DEPLOYMENT, moved, 'update', old),
    ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"z"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable']);
  const rs = replicaSet();
  rs.spec!.replicas = -2;
  assert.deepEqual(messages({ group: 'apps', version: 'v1', kind: 'ReplicaSet' }, rs), ['spec.replicas: Invalid value: -2: must be greater than or equal to 0']);
  const ds = daemonSet();
  ds.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
  assert.deepEqual(messages({ group: 'apps', version: 'v1', kind: 'DaemonSet' }, ds),
    ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
});

test('services: ports, types, cluster IPs and their immutability', () => {
  assert.deepEqual(messages(SERVICE, service()), []);
  const s = service();
  s.metadata!.name = '1web';
  s.spec!.ports = [{ port: 0, protocol: 'TCP', targetPort: 0 }, { port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30000 }];
  s.spec!.type = 'Weird';
  s.spec!.sessionAffinity = 'Sticky';
  const msgs = messages(SERVICE, s);
  const want = [
    'spec.ports[0].name: Required value',
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    'spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ];
  for (const w of want) assert.ok(msgs.includes(w), `missing: ${w}\n got: ${msgs.join('\n      ')}`);
  assert.ok(msgs.some((m) => m.startsWith('metadata.name: Invalid value: "1web": a DNS-1035 label')));
  const dup = service();
  dup.spec!.ports = [{ name: 'a', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'b', port: 80, protocol: 'TCP', targetPort: 81, nodePort: 3 }];
  assert.deepEqual(messages(SERVICE, dup), [
    "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
  const old = service();
  old.metadata!.resourceVersion = '1';
  const moved = copy(old);
  moved.spec!.clusterIP = '10.96.0.11';
  moved.spec!.clusterIPs = ['10.96.0.11'];
  assert.deepEqual(messages(SERVICE, moved, 'update', old), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  const bad = service();
  bad.spec!.clusterIPs = ['10.0.0.1'];
  assert.ok(messages(SERVICE, bad).includes('spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: first value must match `clusterIP`'));
});

test('configmaps, secrets, namespaces, nodes, events, endpoints, rbac, leases', () => {
  const v = (kind: string, obj: object, group = '') => messages({ group, version: 'v1', kind }, obj);
  assert.ok(v('ConfigMap', { metadata: { name: 'c', namespace: 'd' }, data: { 'bad key': 'x' } })[0]!
    .startsWith('data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters'));
  assert.deepEqual(v('Secret', { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls', data: {} }),
    ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  const oldSecret = { metadata: { name: 's', namespace: 'd', resourceVersion: '1' }, type: 'Opaque', immutable: true, data: { a: 'YQ==' } };
  assert.deepEqual(validateFields({ group: '', version: 'v1', kind: 'Secret' }, 'update',
    { ...oldSecret, type: 'Other', data: {} }, oldSecret).map(errorString),
  ['type: Invalid value: "Other": field is immutable', 'data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(v('Namespace', { metadata: { name: 'n' }, spec: { finalizers: ['custom'] } }),
    ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']);
  assert.deepEqual(v('Node', { metadata: { name: 'n1' }, spec: { taints: [{ key: 'a', effect: 'Bad' }] } }),
    ['metadata.taints[0].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  assert.deepEqual(v('Event', { metadata: { name: 'e', namespace: 'a' }, involvedObject: { namespace: 'b' } }),
    ['involvedObject.namespace: Invalid value: "b": does not match event.namespace']);
  assert.deepEqual(v('Endpoints', { metadata: { name: 'e', namespace: 'a' }, subsets: [{ addresses: [{ ip: '127.0.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] }] }), [],
    'loopback endpoint addresses are allowed: Flotilla pod IPs are loopback addresses');
  assert.deepEqual(v('Role', { metadata: { name: 'r', namespace: 'a' }, rules: [{ verbs: [] }] }, 'rbac.authorization.k8s.io'),
    ['rules[0].verbs: Required value: verbs must contain at least one value', 'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[0].resources: Required value: resource rules must supply at least one resource']);
  assert.deepEqual(v('ClusterRoleBinding', { metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }, 'rbac.authorization.k8s.io'),
  ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value']);
  assert.deepEqual(v('RoleBinding', { metadata: { name: 'a/b', namespace: 'n' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } },
    'rbac.authorization.k8s.io'), ['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
  assert.deepEqual(v('Lease', { metadata: { name: 'l', namespace: 'n' }, spec: { leaseDurationSeconds: 0 } }, 'coordination.k8s.io'),
    ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  assert.deepEqual(validateDeleteOptions({ propagationPolicy: 'Sideways' as 'Orphan' }).map(errorString),
    ['propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"']);
});

test('a mistyped object is a 400 worded like a decode failure', () => {
  const s = validate(POD, 'create', { metadata: { name: 'x', namespace: 'd', labels: { a: 1 } }, spec: { containers: 'nope' } }) as Status;
  assert.equal(s.code, 400);
  assert.equal(s.message, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  assert.equal(validate(POD, 'create', pod()), null);
});

test('property: any well-typed object of any kind validates to null or a Status, and defaulting never throws', () => {
  for (const schema of ALL_KINDS) {
    const gvk = schema.gvk!;
    fc.assert(fc.property(arbitraryOf(schema), arbitraryOf(schema), (obj, old) => {
      for (const op of ['create', 'update', 'status'] as const) {
        const r = validate(gvk, op, obj, op === 'create' ? undefined : old);
        if (r !== null) assert.ok([400, 422].includes(r.code), `${gvk.kind}: ${r.message}`);
      }
      const defaulted = applyDefaults(gvk, copy(obj));
      const r = validate(gvk, 'create', defaulted);
      if (r !== null) assert.ok([400, 422].includes(r.code));
    }), params(40));
  }
});
