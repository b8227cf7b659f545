// The API resources the kubelet and kube-proxy use, looked up once in the registry.
import { findResource, type ResourceInfo } from '../../control-plane/api/index.js';
import { KubeletError } from './errors.js';

function must(group: string, plural: string): ResourceInfo {
  const r = findResource(group, plural);
  if (r === undefined) throw new KubeletError('FLOTILLA_ERR_KUBELET_REGISTRY', `the API registry has no ${plural}`);
  return r;
}

export const PODS = must('', 'pods');
export const NODES = must('', 'nodes');
export const LEASES = must('coordination.k8s.io', 'leases');
export const CONFIGMAPS = must('', 'configmaps');
export const SECRETS = must('', 'secrets');
export const EVENTS = must('', 'events');
export const SERVICES = must('', 'services');
export const ENDPOINTS = must('', 'endpoints');

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
