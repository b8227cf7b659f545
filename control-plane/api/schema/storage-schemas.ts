// core/v1 PersistentVolumeClaim and PersistentVolume schemas (the common fields; the many
// in-tree volume plugins of PersistentVolumeSpec are reduced to hostPath, local, nfs and csi).
import {
  QUANTITY, bool, enumOf, field, kindSchema, mapOf, mergeList, str, strList, strMap, struct, time,
  type ObjectSchema,
} from './dsl.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta-schemas.js';
import { HOST_PATH_VOLUME, NODE_SELECTOR, OBJECT_REFERENCE } from './core-schemas.js';

const CORE = 'io.k8s.api.core.v1';
const gvk = (kind: string) => ({ group: '', version: 'v1', kind });
const resourceList = (description: string) => field(mapOf(QUANTITY), description);
const ACCESS_MODES = 'accessModes contains the desired access modes the volume should have (ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod).';

export const TYPED_LOCAL_OBJECT_REFERENCE = struct(`${CORE}.TypedLocalObjectReference`,
  'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.', {
    apiGroup: str('APIGroup is the group for the resource being referenced.'),
    kind: str('Kind is the type of resource being referenced', { required: true }),
    name: str('Name is the name of resource being referenced', { required: true }),
  });

const PVC_CONDITION = struct(`${CORE}.PersistentVolumeClaimCondition`, 'PersistentVolumeClaimCondition contains details about state of pvc', {
  type: str('Type of the condition.', { required: true }),
  status: field(enumOf('False', 'True', 'Unknown'), 'Status of the condition.', { required: true }),
  lastProbeTime: time('lastProbeTime is the time we probed the condition.'),
  lastTransitionTime: time('lastTransitionTime is the time the condition transitioned from one status to another.'),
  reason: str("reason is a unique, this should be a short, machine understandable string that gives the reason for condition's last transition."),
  message: str('message is the human-readable message indicating details about last transition.'),
});

export const PVC_SPEC = struct(`${CORE}.PersistentVolumeClaimSpec`,
  'PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes', {
    accessModes: strList(ACCESS_MODES),
    selector: field(LABEL_SELECTOR, 'selector is a label query over volumes to consider for binding.'),
    resources: field(struct(`${CORE}.VolumeResourceRequirements`, 'VolumeResourceRequirements describes the storage resource requirements for a volume.', {
      limits: resourceList('Limits describes the maximum amount of compute resources allowed.'),
      requests: resourceList('Requests describes the minimum amount of compute resources required.'),
    }), 'resources represents the minimum resources the volume should have.'),
    volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
    storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
    volumeMode: field(enumOf('Block', 'Filesystem'), 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.'),
    dataSource: field(TYPED_LOCAL_OBJECT_REFERENCE, 'dataSource field can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim.'),
    volumeAttributesClassName: str('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
  });

export const PERSISTENT_VOLUME_CLAIM = kindSchema(`${CORE}.PersistentVolumeClaim`, gvk('PersistentVolumeClaim'),
  "PersistentVolumeClaim is a user's request for and claim to a persistent volume", OBJECT_META, {
    spec: field(PVC_SPEC, 'spec defines the desired characteristics of a volume requested by a pod author.'),
    status: field(struct(`${CORE}.PersistentVolumeClaimStatus`, 'PersistentVolumeClaimStatus is the current status of a persistent volume claim.', {
      phase: field(enumOf('Bound', 'Lost', 'Pending'), 'phase represents the current phase of PersistentVolumeClaim.'),
      accessModes: strList('accessModes contains the actual access modes the volume backing the PVC has.'),
      capacity: resourceList('capacity represents the actual resources of the underlying volume.'),
      conditions: mergeList(PVC_CONDITION, 'type', 'conditions is the current Condition of persistent volume claim.'),
      currentVolumeAttributesClassName: str('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'),
    }), 'status represents the current information/status of a persistent volume claim.'),
  });

export const PERSISTENT_VOLUME = kindSchema(`${CORE}.PersistentVolume`, gvk('PersistentVolume'),
  'PersistentVolume (PV) is a storage resource provisioned by an administrator.', OBJECT_META, {
    spec: field(struct(`${CORE}.PersistentVolumeSpec`, 'PersistentVolumeSpec is the specification of a persistent volume.', {
      capacity: resourceList("capacity is the description of the persistent volume's resources and capacity."),
      hostPath: field(HOST_PATH_VOLUME, 'hostPath represents a directory on the host.'),
      local: field(struct(`${CORE}.LocalVolumeSource`, 'Local represents directly-attached storage with node affinity', {
        path: str('path of the full path to the volume on the node.', { required: true }),
        fsType: str('fsType is the filesystem type to mount.'),
      }), 'local represents directly-attached storage with node affinity'),
      nfs: field(struct(`${CORE}.NFSVolumeSource`, 'Represents an NFS mount that lasts the lifetime of a pod.', {
        server: str('server is the hostname or IP address of the NFS server.', { required: true }),
        path: str('path that is exported by the NFS server.', { required: true }),
        readOnly: bool('readOnly here will force the NFS export to be mounted with read-only permissions.'),
      }), 'nfs represents an NFS mount on the host.'),
      csi: field(struct(`${CORE}.CSIPersistentVolumeSource`, 'Represents storage that is managed by an external CSI volume driver', {
        driver: str('driver is the name of the driver to use for this volume.', { required: true }),
        volumeHandle: str('volumeHandle is the unique volume name returned by the CSI volume plugin.', { required: true }),
        readOnly: bool('readOnly value to pass to ControllerPublishVolumeRequest.'),
        fsType: str('fsType to mount.'),
        volumeAttributes: strMap('volumeAttributes of the volume to publish.'),
      }), 'csi represents storage that is handled by an external CSI driver.'),
      accessModes: strList(ACCESS_MODES),
      claimRef: field(OBJECT_REFERENCE, 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
      persistentVolumeReclaimPolicy: field(enumOf('Delete', 'Recycle', 'Retain'),
        'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
      storageClassName: str('storageClassName is the name of StorageClass to which this persistent volume belongs.'),
      mountOptions: strList('mountOptions is the list of mount options.'),
      volumeMode: field(enumOf('Block', 'Filesystem'), 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'),
      nodeAffinity: field(struct(`${CORE}.VolumeNodeAffinity`, 'VolumeNodeAffinity defines constraints that limit what nodes this volume can be accessed from.', {
        required: field(NODE_SELECTOR, 'required specifies hard node constraints that must be met.'),
      }), 'nodeAffinity defines constraints that limit what nodes this volume can be accessed from.'),
      volumeAttributesClassName: str('Name of VolumeAttributesClass to which this persistent volume belongs.'),
    }), 'spec defines a specification of a persistent volume owned by the cluster.'),
    status: field(struct(`${CORE}.PersistentVolumeStatus`, 'PersistentVolumeStatus is the current status of a persistent volume.', {
      phase: field(enumOf('Available', 'Bound', 'Failed', 'Pending', 'Released'), 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
      message: str('message is a human-readable message indicating details about why the volume is in this state.'),
      reason: str('reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
      lastPhaseTransitionTime: time('lastPhaseTransitionTime is the time the phase transitioned from one to another.'),
    }), 'status represents the current information/status for the persistent volume.'),
  });

export const STORAGE_KINDS: readonly ObjectSchema[] = [PERSISTENT_VOLUME_CLAIM, PERSISTENT_VOLUME];
