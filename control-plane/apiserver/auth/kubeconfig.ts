// A kubeconfig (clientcmd's v1 Config) with one cluster, one user and one context, as
// kubeadm writes admin.conf: certificates embedded as base64 *-data fields, so the file
// stands alone. Written 0600 because it holds credentials.
import { chmod, rename, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { KubeconfigError } from './errors.js';

export interface KubeconfigOptions {
  clusterName: string;
  /** https://HOST:PORT of the apiserver (or the load balancer in front of the replicas). */
  server: string;
  caPem?: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  user: string;
  namespace?: string;
}

const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

function check(o: KubeconfigOptions): void {
  if (o.clusterName === '') throw new KubeconfigError('clusterName must not be empty');
  if (o.user === '') throw new KubeconfigError('user must not be empty');
  let url: URL;
  try {
    url = new URL(o.server);
  } catch {
    throw new KubeconfigError(`server ${JSON.stringify(o.server)} is not a URL; want https://HOST:PORT`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeconfigError(`server ${JSON.stringify(o.server)} must be an http(s) URL`);
  }
  if ((o.clientCertPem === undefined) !== (o.clientKeyPem === undefined)) {
    throw new KubeconfigError('clientCertPem and clientKeyPem go together: give both or neither');
  }
}

/** The kubeconfig as YAML; the context is named USER@CLUSTER, as kubeadm names it. */
export function kubeconfigYaml(o: KubeconfigOptions): string {
  check(o);
  const cluster: Record<string, string> = { server: o.server };
  if (o.caPem !== undefined) cluster['certificate-authority-data'] = b64(o.caPem);
  const user: Record<string, string> = {};
  if (o.clientCertPem !== undefined) user['client-certificate-data'] = b64(o.clientCertPem);
  if (o.clientKeyPem !== undefined) user['client-key-data'] = b64(o.clientKeyPem);
  if (o.token !== undefined) user['token'] = o.token;
  const contextName = `${o.user}@${o.clusterName}`;
  const context: Record<string, string> = { cluster: o.clusterName, user: o.user };
  if (o.namespace !== undefined && o.namespace !== '') context['namespace'] = o.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: o.clusterName, cluster }],
    users: [{ name: o.user, user }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
  }, { lineWidth: 0 });
}

/** Writes the kubeconfig with mode 0600 (through a temporary file, so readers never see half of it). */
export async function writeKubeconfig(path: string, o: KubeconfigOptions): Promise<void> {
  const text = kubeconfigYaml(o);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600); // the mode option is filtered by the umask; chmod is not
  await rename(tmp, path);
}
