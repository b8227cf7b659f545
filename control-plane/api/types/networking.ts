// networking.k8s.io/v1 Ingress (k8s.io/api/networking/v1).
import type { TypedLocalObjectReference } from './storage.js';
import type { ObjectMeta, TypeMeta } from './meta.js';

export interface IngressServiceBackend { name: string; port?: { name?: string; number?: number } }

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPath {
  path?: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific' | string;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS { hosts?: string[]; secretName?: string }

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: IngressTLS[];
  rules?: IngressRule[];
}

export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: { port: number; protocol: string; error?: string }[];
}

export interface IngressStatus { loadBalancer?: { ingress?: IngressLoadBalancerIngress[] } }

export interface Ingress extends TypeMeta {
  metadata?: ObjectMeta;
  spec?: IngressSpec;
  status?: IngressStatus;
}
