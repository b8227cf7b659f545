// k8s.io/apimachinery meta/v1 (and runtime) messages that appear inside request objects.

import { bool, f, i64, message, str, strMap, strs, type MessageDesc } from './dsl.js';

export const META_V1: readonly MessageDesc[] = [
  message('ObjectMeta', [
    str(1, 'name'), str(2, 'generateName'), str(3, 'namespace'), str(4, 'selfLink'), str(5, 'uid'),
    str(6, 'resourceVersion'), i64(7, 'generation'),
    f(8, 'creationTimestamp', 'Time'),
    f(9, 'deletionTimestamp', 'Time', 'ptr'),
    i64(10, 'deletionGracePeriodSeconds', 'ptr'),
    strMap(11, 'labels'), strMap(12, 'annotations'),
    f(13, 'ownerReferences', 'OwnerReference', 'list'),
    strs(14, 'finalizers'),
    f(17, 'managedFields', 'ManagedFieldsEntry', 'list'),
  ]),
  message('OwnerReference', [
    str(5, 'apiVersion', 'keep'), str(1, 'kind', 'keep'), str(3, 'name', 'keep'), str(4, 'uid', 'keep'),
    bool(6, 'controller', 'ptr'), bool(7, 'blockOwnerDeletion', 'ptr'),
  ]),
  message('ManagedFieldsEntry', [
    str(1, 'manager'), str(2, 'operation'), str(3, 'apiVersion'), f(4, 'time', 'Time', 'ptr'),
    str(6, 'fieldsType'), f(7, 'fieldsV1', 'FieldsV1', 'ptr'), str(8, 'subresource'),
  ]),
  message('LabelSelector', [
    strMap(1, 'matchLabels'),
    f(2, 'matchExpressions', 'LabelSelectorRequirement', 'list'),
  ]),
  message('LabelSelectorRequirement', [str(1, 'key', 'keep'), str(2, 'operator', 'keep'), strs(3, 'values')]),
  message('Condition', [
    str(1, 'type', 'keep'), str(2, 'status', 'keep'), i64(3, 'observedGeneration'),
    f(4, 'lastTransitionTime', 'Time', 'keep'), str(5, 'reason', 'keep'), str(6, 'message', 'keep'),
  ]),
  message('DeleteOptions', [
    i64(1, 'gracePeriodSeconds', 'ptr'),
    f(2, 'preconditions', 'Preconditions', 'ptr'),
    bool(3, 'orphanDependents', 'ptr'),
    str(4, 'propagationPolicy', 'ptr'),
    strs(5, 'dryRun'),
    bool(6, 'ignoreStoreReadErrorWithClusterBreakingPotential', 'ptr'),
  ]),
  message('Preconditions', [str(1, 'uid', 'ptr'), str(2, 'resourceVersion', 'ptr')]),
];
