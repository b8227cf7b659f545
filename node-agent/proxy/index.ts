// node-agent/proxy: kube-proxy's data path in userspace. See ../README.md.
export {
  ServiceProxy, backendsFor, type Backend, type ProxyUpdateResult, type ServicePortStats, type ServiceProxyOptions,
} from './service-proxy.js';
export * from './limits.js';
