// core/v1 PersistentVolumeClaim and PersistentVolume (k8s.io/api/core/v1), the common fields.
import type { ObjectReference, ResourceList } from './core.js';
import type { LabelSelector, ObjectMeta, TypeMeta } from './meta.js';

export interface TypedLocalObjectReference { apiGroup?: string; kind: string; name: string }

export interface PersistentVolumeClaimSpec {
  accessModes?: string[];
  selector?: LabelSelector;
  resources?: { limits?: ResourceList; requests?: ResourceList };
  volumeName?: string;
  storageClassName?: string;
  volumeMode?: 'Filesystem' | 'Block' | string;
  dataSource?: TypedLocalObjectReference;
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeClaimCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PersistentVolumeClaimStatus {
  phase?: 'Pending' | 'Bound' | 'Lost' | string;
  accessModes?: string[];
  capacity?: ResourceList;
  conditions?: PersistentVolumeClaimCondition[];
  currentVolumeAttributesClassName?: string;
}

export interface PersistentVolumeClaim extends TypeMeta {
  metadata?: ObjectMeta;
  spec?: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
}

export interface PersistentVolumeSpec {
  capacity?: ResourceList;
  hostPath?: { path: string; type?: string };
  local?: { path: string; fsType?: string };
  nfs?: { server: string; path: string; readOnly?: boolean };
  csi?: {
    driver: string; volumeHandle: string; readOnly?: boolean; fsType?: string;
    volumeAttributes?: Record<string, string>;
  };
  accessModes?: string[];
  claimRef?: ObjectReference;
  persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle' | string;
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: 'Filesystem' | 'Block' | string;
  nodeAffinity?: { required?: import('./core.js').NodeSelector };
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeStatus {
  phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed' | string;
  message?: string;
  reason?: string;
  lastPhaseTransitionTime?: string;
}

export interface PersistentVolume extends TypeMeta {
  metadata?: ObjectMeta;
  spec?: PersistentVolumeSpec;
  status?: PersistentVolumeStatus;
}
