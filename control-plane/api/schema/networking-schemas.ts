// networking.k8s.io/v1 Ingress schema.
import { atomicList, enumOf, field, i32, kindSchema, str, strList, struct, type ObjectSchema } from './dsl.js';
import { OBJECT_META } from './meta-schemas.js';
import { TYPED_LOCAL_OBJECT_REFERENCE } from './storage-schemas.js';

const NET = 'io.k8s.api.networking.v1';

const BACKEND = struct(`${NET}.IngressBackend`, 'IngressBackend describes all endpoints for a given service and port.', {
  service: field(struct(`${NET}.IngressServiceBackend`, 'IngressServiceBackend references a Kubernetes Service as a Backend.', {
    name: str('name is the referenced service. The service must exist in the same namespace as the Ingress object.', { required: true }),
    port: field(struct(`${NET}.ServiceBackendPort`, 'ServiceBackendPort is the service port being referenced.', {
      name: str('name is the name of the port on the Service. This is a mutually exclusive setting with "Number".'),
      number: i32('number is the numerical port number (e.g. 80) on the Service. This is a mutually exclusive setting with "Name".'),
    }), 'port of the referenced service. A port name or port number is required for a IngressServiceBackend.'),
  }), 'service references a service as a backend. This is a mutually exclusive setting with "Resource".'),
  resource: field(TYPED_LOCAL_OBJECT_REFERENCE, 'resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object.'),
});

const PATH = struct(`${NET}.HTTPIngressPath`, 'HTTPIngressPath associates a path with a backend.', {
  path: str('path is matched against the path of an incoming request.'),
  pathType: field(enumOf('Exact', 'ImplementationSpecific', 'Prefix'), 'pathType determines the interpretation of the path matching.', { required: true }),
  backend: field(BACKEND, 'backend defines the referenced service endpoint to which the traffic will be forwarded to.', { required: true }),
});

const RULE = struct(`${NET}.IngressRule`, 'IngressRule represents the rules mapping the paths under a specified host to the related backend services.', {
  host: str('host is the fully qualified domain name of a network host, as defined by RFC 3986.'),
  http: field(struct(`${NET}.HTTPIngressRuleValue`, 'HTTPIngressRuleValue is a list of http selectors pointing to backends.', {
    paths: atomicList(PATH, 'paths is a collection of paths that map requests to backends.', { required: true }),
  }), 'http is a list of http selectors pointing to backends.'),
});

const LB_INGRESS = struct(`${NET}.IngressLoadBalancerIngress`, 'IngressLoadBalancerIngress represents the status of a load-balancer ingress point.', {
  ip: str('ip is set for load-balancer ingress points that are IP based.'),
  hostname: str('hostname is set for load-balancer ingress points that are DNS based.'),
  ports: atomicList(struct(`${NET}.IngressPortStatus`, 'IngressPortStatus represents the error condition of a service port', {
    port: i32('port is the port number of the ingress port.', { required: true }),
    protocol: field(enumOf('SCTP', 'TCP', 'UDP'), 'protocol is the protocol of the ingress port.', { required: true }),
    error: str('error is to record the problem with the service port'),
  }), 'ports provides information about the ports exposed by this LoadBalancer.'),
});

export const INGRESS = kindSchema(`${NET}.Ingress`, { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
  'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.', OBJECT_META, {
    spec: field(struct(`${NET}.IngressSpec`, 'IngressSpec describes the Ingress the user wishes to exist.', {
      ingressClassName: str('ingressClassName is the name of an IngressClass cluster resource.'),
      defaultBackend: field(BACKEND, "defaultBackend is the backend that should handle requests that don't match any rule."),
      tls: atomicList(struct(`${NET}.IngressTLS`, 'IngressTLS describes the transport layer security associated with an ingress.', {
        hosts: strList('hosts is a list of hosts included in the TLS certificate.'),
        secretName: str('secretName is the name of the secret used to terminate TLS traffic on port 443.'),
      }), 'tls represents the TLS configuration.'),
      rules: atomicList(RULE, 'rules is a list of host rules used to configure the Ingress.'),
    }), 'spec is the desired state of the Ingress.'),
    status: field(struct(`${NET}.IngressStatus`, 'IngressStatus describe the current state of the Ingress.', {
      loadBalancer: field(struct(`${NET}.IngressLoadBalancerStatus`, 'IngressLoadBalancerStatus represents the status of a load-balancer.', {
        ingress: atomicList(LB_INGRESS, 'ingress is a list containing ingress points for the load-balancer.'),
      }), 'loadBalancer contains the current status of the load-balancer.'),
    }), 'status is the current state of the Ingress.'),
  });

export const NETWORKING_KINDS: readonly ObjectSchema[] = [INGRESS];
