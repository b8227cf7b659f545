// node-agent/agent: the `flotilla node-agent` process. See ../README.md.
export { startNodeAgent, simulatedRenewIntervalMs, type NodeAgent } from './agent.js';
export { runNodeAgent } from './run.js';
export { SimulatedNodes, simulatedStatus, type SimulatedNodesOptions, type SimulatedMetrics } from './simulated.js';
export { KubeProxy, type KubeProxyOptions, type KubeProxyMetrics } from './kube-proxy.js';
export { AgentMetrics } from './metrics.js';
export {
  resolveNodeAgentOptions, parseDurationMs, NODE_AGENT_FLAG_DEFAULTS, type NodeAgentFlags, type NodeAgentOptions,
} from './options.js';
export * from './errors.js';
export * from './limits.js';
