// The cluster's credentials, made once in the state directory: a CA and serving certificate
// (shared by every apiserver), random bearer tokens for the admin and every component, and
// a kubeconfig for each (components reach the apiservers through the load balancer).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigYaml } from '../control-plane/apiserver/auth/kubeconfig.js';
import { ensurePki } from '../control-plane/apiserver/auth/pki.js';

export interface Identity { name: string; user: string; groups: string[] }

export interface Credentials {
  caFile: string;
  servingCertFile: string;
  servingKeyFile: string;
  tokenFile: string;
  /** kubeconfig path by identity name ("admin", "scheduler", "controller-manager", "worker-1", ...). */
  kubeconfigs: Record<string, string>;
}

export function identities(workers: number, simulated: boolean): Identity[] {
  const ids: Identity[] = [
    { name: 'admin', user: 'kubernetes-admin', groups: ['system:masters'] },
    { name: 'scheduler', user: 'system:kube-scheduler', groups: [] },
    { name: 'controller-manager', user: 'system:kube-controller-manager', groups: [] },
  ];
  for (let i = 1; i <= workers; i++) ids.push({ name: `worker-${i}`, user: `system:node:worker-${i}`, groups: ['system:nodes'] });
  // kwok-style simulated nodes: one process acts for many nodes, so it needs more than one node's rights.
  if (simulated) ids.push({ name: 'sim', user: 'system:node:sim', groups: ['system:nodes', 'system:masters'] });
  return ids;
}

function readTokens(path: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [token, user] = line.split(',');
    if (token && user) out.set(user, token);
  }
  return out;
}

export async function ensureCredentials(stateDir: string, serverUrl: string, ids: Identity[]): Promise<Credentials> {
  const pki = await ensurePki(join(stateDir, 'pki'), { hosts: ['127.0.0.1', 'localhost'] });
  const tokenFile = join(stateDir, 'tokens.csv');
  const existing = readTokens(tokenFile);
  const lines: string[] = [];
  const kubeconfigs: Record<string, string> = {};
  const caPem = readFileSync(pki.caFile, 'utf8');
  mkdirSync(join(stateDir, 'kubeconfigs'), { recursive: true, mode: 0o700 });
  for (const id of ids) {
    const token = existing.get(id.user) ?? randomBytes(24).toString('base64url');
    lines.push(`${token},${id.user},${id.user},"${id.groups.join(',')}"`);
    const path = id.name === 'admin' ? join(stateDir, 'kubeconfig') : join(stateDir, 'kubeconfigs', `${id.name}.kubeconfig`);
    writeFileSync(path, kubeconfigYaml({ clusterName: 'flotilla', server: serverUrl, caPem, token, user: id.user }),
      { mode: 0o600 });
    kubeconfigs[id.name] = path;
  }
  writeFileSync(tokenFile, lines.join('\n') + '\n', { mode: 0o600 });
  return { caFile: pki.caFile, servingCertFile: pki.servingCertFile, servingKeyFile: pki.servingKeyFile, tokenFile,
    kubeconfigs };
}
