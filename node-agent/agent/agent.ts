// `flotilla node-agent`: one process that is a node (kubelet on the process runtime, plus
// kube-proxy with --kube-proxy) or a fleet of simulated nodes (--runtime simulated
// --simulated-nodes N). /metrics (Prometheus), /livez and /readyz on 127.0.0.1:--metrics-port.
// SIGTERM stops the agent and lets containers run on (a restarted agent adopts them), unless
// --cleanup-on-exit, which stops every pod first.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ApiClient } from '../../control-plane/client/index.js';
import { Kubelet, KubeletServer, NODE_LEASE_RENEW_FRACTION } from '../kubelet/index.js';
import { ImageCatalogue, nodePodRange, ProcessRuntime } from '../runtime/index.js';
import { KubeProxy } from './kube-proxy.js';
import { SIM_CLIENT_BURST, SIM_CLIENT_QPS } from './limits.js';
import { AgentMetrics } from './metrics.js';
import type { NodeAgentOptions } from './options.js';
import { SimulatedNodes } from './simulated.js';

export interface NodeAgent {
  readonly kubelet: Kubelet | undefined;
  readonly runtime: ProcessRuntime | undefined;
  readonly simulated: SimulatedNodes | undefined;
  readonly kubeProxy: KubeProxy | undefined;
  readonly kubeletPort: number | undefined;
  readonly metricsPort: number;
  stop(): Promise<void>;
}

/** The lease renew interval of a simulated fleet: a quarter of the lease, stretched to keep under heartbeat QPS. */
export function simulatedRenewIntervalMs(o: Pick<NodeAgentOptions, 'leaseDurationSeconds' | 'simulatedNodes' |
  'simulatedHeartbeatQps'>): number {
  const leaseMs = o.leaseDurationSeconds * 1000;
  const spread = (o.simulatedNodes / o.simulatedHeartbeatQps) * 1000;
  return Math.min(Math.max(leaseMs * NODE_LEASE_RENEW_FRACTION, spread), leaseMs * 0.75);
}

async function startProcessNode(o: NodeAgentOptions, client: ApiClient, log: Logger):
  Promise<{ runtime: ProcessRuntime; kubelet: Kubelet; server: KubeletServer; port: number }> {
  const images = new ImageCatalogue();
  if (o.imageCatalogue !== undefined) await images.loadFile(o.imageCatalogue);
  const runtime = await ProcessRuntime.open({ rootDir: o.rootDir, nodeIndex: o.nodeIndex, images });
  const node = {
    nodeName: o.nodeName, nodeIndex: o.nodeIndex, labels: o.labels, taints: o.taints, capacity: o.capacity,
    kubeletPort: o.kubeletPort, containerRuntimeVersion: 'flotilla-process://0.1',
    ...(o.role !== undefined ? { role: o.role } : {}),
  };
  const kubelet = new Kubelet({
    client, runtime, node, images, log: log.child({ component: 'kubelet' }), leaseDurationSeconds: o.leaseDurationSeconds,
    nodeStatusUpdateFrequencyMs: o.nodeStatusUpdateFrequencyMs,
    nodeStatusReportFrequencyMs: o.nodeStatusReportFrequencyMs,
  });
  const server = new KubeletServer(kubelet);
  try {
    node.kubeletPort = await server.listen(nodePodRange(o.nodeIndex).nodeIP, o.kubeletPort);
  } catch (e) {
    await runtime.close();
    throw e;
  }
  log.info({ pods: runtime.listSandboxes().length, rootDir: o.rootDir }, 'runtime opened; adopting its pods');
  await kubelet.start();
  return { runtime, kubelet, server, port: node.kubeletPort };
}

function listenMetrics(port: number, metrics: AgentMetrics, ready: () => boolean): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      }, (e: Error) => res.writeHead(500).end(e.message));
    } else if (path === '/livez' || path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      const ok = ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Starts everything the options ask for; stop() undoes it (containers keep running unless cleanupOnExit). */
export async function startNodeAgent(o: NodeAgentOptions, log: Logger, processMetrics = true): Promise<NodeAgent> {
  const sim = o.runtime === 'simulated';
  const client = ApiClient.fromKubeconfig(o.kubeconfig, {
    userAgent: `flotilla-node-agent/${o.nodeName}`,
    ...(sim ? { qps: o.qps ?? SIM_CLIENT_QPS, burst: o.burst ?? SIM_CLIENT_BURST } : {}),
    ...(!sim && o.qps !== undefined ? { qps: o.qps } : {}),
    ...(!sim && o.burst !== undefined ? { burst: o.burst } : {}),
  });
  let ready = false;
  const metrics = new AgentMetrics(processMetrics);
  const metricsServer = await listenMetrics(o.metricsPort, metrics, () => ready);
  const metricsPort = (metricsServer.address() as AddressInfo).port;
  let node: Awaited<ReturnType<typeof startProcessNode>> | undefined;
  let simulated: SimulatedNodes | undefined;
  let kubeProxy: KubeProxy | undefined;
  const stop = async (): Promise<void> => {
    ready = false;
    await kubeProxy?.stop();
    await simulated?.stop();
    if (node !== undefined) {
      await node.kubelet.stop();
      await node.server.close();
      if (o.cleanupOnExit) {
        for (const sb of node.runtime.listSandboxes()) {
          await node.runtime.removePodSandbox(sb.id).catch(() => undefined);
        }
        log.info('--cleanup-on-exit: stopped every pod');
      }
      await node.runtime.close();
    }
    client.close();
    metricsServer.closeAllConnections();
    await new Promise<void>((r) => metricsServer.close(() => r()));
  };
  try {
    if (sim) {
      simulated = new SimulatedNodes({
        client, prefix: o.nodeName, count: o.simulatedNodes, firstIndex: o.nodeIndex, capacity: o.capacity,
        labels: o.labels, taints: o.taints, ...(o.role !== undefined ? { role: o.role } : {}),
        leaseDurationSeconds: o.leaseDurationSeconds, leaseRenewIntervalMs: simulatedRenewIntervalMs(o),
        statusReportFrequencyMs: o.nodeStatusReportFrequencyMs, log: log.child({ component: 'simulated-nodes' }),
      });
      metrics.watchSimulated(simulated);
      await simulated.start();
    } else {
      node = await startProcessNode(o, client, log);
      metrics.watchKubelet(node.kubelet);
    }
    if (o.kubeProxy) {
      kubeProxy = new KubeProxy({ client, log: log.child({ component: 'kube-proxy' }),
        ...(sim ? {} : { nodeAddress: nodePodRange(o.nodeIndex).nodeIP }) });
      metrics.watchProxy(kubeProxy);
      await kubeProxy.start();
    }
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  ready = true;
  log.info({ node: o.nodeName, runtime: o.runtime, simulatedNodes: o.simulatedNodes, kubeProxy: o.kubeProxy,
    kubeletPort: node?.port, metricsPort }, 'node agent started');
  return { kubelet: node?.kubelet, runtime: node?.runtime, simulated, kubeProxy, kubeletPort: node?.port, metricsPort,
    stop };
}
