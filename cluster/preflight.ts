// Checks `flotilla up` makes before starting anything, so a port clash is reported as one
// clear line naming the port and its owner-to-be, rather than as a process that died during
// boot with the reason buried in its log (kubeadm's preflight checks play the same role).
import { createServer } from 'node:net';
import type { ProcessSpec, TopologyOptions } from './topology.js';

/** Resolves to the error code of listening on 127.0.0.1:port, or undefined if it is free. */
function tryListen(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

/** Every port the cluster will listen on, with a label such as "master-1/store client". */
export function plannedPorts(specs: readonly ProcessSpec[]): { port: number; label: string }[] {
  return specs.flatMap((s) => Object.entries(s.ports).map(([purpose, port]) => ({ port, label: `${s.id} ${purpose}` })));
}

/** Throws naming the first port that two processes would share or that is already taken. */
export async function checkPorts(o: TopologyOptions, specs: readonly ProcessSpec[]): Promise<void> {
  if (o.lbPort >= o.basePort && o.lbPort < o.basePort + 1000) {
    throw new Error(`--port ${o.lbPort} lies inside the range --base-port ${o.basePort} reserves ` +
      `(${o.basePort}..${o.basePort + 999}); pick a port outside it`);
  }
  const seen = new Map<number, string>();
  for (const { port, label } of plannedPorts(specs)) {
    const other = seen.get(port);
    if (other !== undefined) throw new Error(`port ${port} would be used by both ${other} and ${label}`);
    seen.set(port, label);
  }
  for (const [port, label] of seen) {
    const code = await tryListen(port);
    if (code !== undefined) {
      throw new Error(`port ${port} (${label}) is not available on 127.0.0.1: ${code}. Another process holds it: ` +
        'choose another --base-port / --port, or stop that process');
    }
  }
}
