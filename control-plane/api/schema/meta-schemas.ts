// meta.k8s.io/v1 schemas shared by every kind.
import {
  ANY, BOOLEAN, arrayOf, atomicList, bool, enumOf, field, i32, i64, str, strList, strMap, struct, time,
  STRING, type ObjectSchema, mergeList,
} from './dsl.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const OWNER_REFERENCE = struct(`${META}.OwnerReference`,
  'OwnerReference contains enough information to let you identify an owning object.', {
    apiVersion: str('API version of the referent.', { required: true }),
    kind: str('Kind of the referent.', { required: true }),
    name: str('Name of the referent.', { required: true }),
    uid: str('UID of the referent.', { required: true }),
    controller: bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool('If true, the owner cannot be deleted from storage until this reference is removed.'),
  });

export const MANAGED_FIELDS_ENTRY = struct(`${META}.ManagedFieldsEntry`,
  'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.', {
    manager: str('Manager is an identifier of the workflow managing these fields.'),
    operation: str('Operation is the type of operation which lead to this ManagedFieldsEntry being created.'),
    apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
    time: time('Time is the timestamp of when the ManagedFields entry was added.'),
    fieldsType: str('FieldsType is the discriminator for the different fields format and version.'),
    fieldsV1: field(ANY, 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.'),
    subresource: str('Subresource is the name of the subresource used to update that object.'),
  });

export const OBJECT_META = struct(`${META}.ObjectMeta`,
  'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', {
    name: str('Name must be unique within a namespace.'),
    generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
    uid: str('UID is the unique in time and space value for this object.'),
    resourceVersion: str('An opaque value that represents the internal version of this object.'),
    generation: i64('A sequence number representing a specific generation of the desired state.'),
    creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created.'),
    deletionTimestamp: time('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
    deletionGracePeriodSeconds: i64('Number of seconds allowed for this object to gracefully terminate.'),
    labels: strMap('Map of string keys and values that can be used to organize and categorize objects.'),
    annotations: strMap('Annotations is an unstructured key value map stored with a resource.'),
    ownerReferences: mergeList(OWNER_REFERENCE, 'uid', 'List of objects depended by this object.'),
    finalizers: field(arrayOf(STRING, { listType: 'set' }),
      'Must be empty before the object is deleted from the registry.', { patchStrategy: 'merge' }),
    managedFields: atomicList(MANAGED_FIELDS_ENTRY, 'ManagedFields maps workflow-id and version to the set of fields managed.'),
  });

export const LIST_META = struct(`${META}.ListMeta`,
  'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.', {
    selfLink: str('Deprecated: selfLink is a legacy read-only field.'),
    resourceVersion: str('String that identifies the server\'s internal version of this object.'),
    continue: str('continue may be set if the user set a limit on the number of items returned.'),
    remainingItemCount: i64('The number of subsequent items in the list which are not included in this list response.'),
  });

export const LABEL_SELECTOR_REQUIREMENT = struct(`${META}.LabelSelectorRequirement`,
  'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
    key: str('key is the label key that the selector applies to.', { required: true }),
    operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.",
      { required: true }),
    values: strList('values is an array of string values.'),
  });

export const LABEL_SELECTOR = struct(`${META}.LabelSelector`,
  'A label selector is a label query over a set of resources.', {
    matchLabels: strMap('matchLabels is a map of {key,value} pairs.'),
    matchExpressions: atomicList(LABEL_SELECTOR_REQUIREMENT, 'matchExpressions is a list of label selector requirements.'),
  });

export const CONDITION = struct(`${META}.Condition`, 'Condition contains details for one aspect of the current state.', {
  type: str('type of condition in CamelCase or in foo.example.com/CamelCase.', { required: true }),
  status: field(enumOf('True', 'False', 'Unknown'), 'status of the condition, one of True, False, Unknown.',
    { required: true }),
  observedGeneration: i64('observedGeneration represents the .metadata.generation that the condition was set based upon.'),
  lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
  reason: str('reason contains a programmatic identifier indicating the reason for the condition\'s last transition.'),
  message: str('message is a human readable message indicating details about the transition.'),
});

export const PRECONDITIONS = struct(`${META}.Preconditions`,
  'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.', {
    uid: str('Specifies the target UID.'),
    resourceVersion: str('Specifies the target ResourceVersion'),
  });

export const DELETE_OPTIONS = struct(`${META}.DeleteOptions`, 'DeleteOptions may be provided when deleting an API object.', {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
  gracePeriodSeconds: i64('The duration in seconds before the object should be deleted.'),
  preconditions: field(PRECONDITIONS, 'Must be fulfilled before a deletion is carried out.'),
  orphanDependents: bool('Deprecated: please use the PropagationPolicy.'),
  propagationPolicy: str("Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  dryRun: strList('When present, indicates that modifications should not be persisted.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: field(BOOLEAN, 'if set to true, it will trigger an unsafe deletion.'),
});

export const STATUS_CAUSE = struct(`${META}.StatusCause`,
  'StatusCause provides more information about an api.Status failure.', {
    reason: str('A machine-readable description of the cause of the error.'),
    message: str('A human-readable description of the cause of the error.'),
    field: str('The field of the resource that has caused this error, as named by its JSON serialization.'),
  });

export const STATUS_DETAILS = struct(`${META}.StatusDetails`,
  'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information.', {
    name: str('The name attribute of the resource associated with the status StatusReason.'),
    group: str('The group attribute of the resource associated with the status StatusReason.'),
    kind: str('The kind attribute of the resource associated with the status StatusReason.'),
    uid: str('UID of the resource.'),
    causes: atomicList(STATUS_CAUSE, 'The Causes array includes more details associated with the StatusReason failure.'),
    retryAfterSeconds: i32('If specified, the time in seconds before the operation should be retried.'),
  });

export const STATUS = struct(`${META}.Status`, 'Status is a return value for calls that don\'t return other objects.', {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
  metadata: field(LIST_META, 'Standard list metadata.'),
  status: str('Status of the operation. One of: "Success" or "Failure".'),
  message: str('A human-readable description of the status of this operation.'),
  reason: str('A machine-readable description of why this operation is in the "Failure" status.'),
  details: field(STATUS_DETAILS, 'Extended data associated with the reason.'),
  code: i32('Suggested HTTP return code for this status, 0 if not set.'),
});

/** metav1.Patch: the body of a PATCH request (any JSON). */
export const PATCH = struct(`${META}.Patch`,
  'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', {});

/** A List kind's schema for an item schema. */
export function listSchema(item: ObjectSchema, listKind: string): ObjectSchema {
  const prefix = item.name.slice(0, item.name.lastIndexOf('.'));
  return struct(`${prefix}.${listKind}`, `${listKind} is a list of ${item.gvk?.kind ?? 'objects'}.`, {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    metadata: field(LIST_META, 'Standard list metadata.'),
    items: field(arrayOf(item), 'List of items.', { required: true }),
  });
}
