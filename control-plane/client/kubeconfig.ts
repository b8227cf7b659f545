// Loading a kubeconfig file the way client-go's clientcmd does for one file: the current context (or
// the one asked for) picks a cluster and a user; relative file paths resolve against the file's own
// directory; *-data fields are base64. Errors name the file and the missing field.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { KubeconfigError } from './errors.js';
import { MAX_KUBECONFIG_BYTES } from './limits.js';

/** What a client needs to talk to one apiserver (client-go's rest.Config, the parts we use). */
export interface RestConfig {
  server: string;
  caPem?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** The context's namespace, "default" when it names none (clientcmd does the same). */
  namespace: string;
  contextName: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The default path, as kubectl: $KUBECONFIG (its first entry) or ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env['KUBECONFIG'];
  if (env !== undefined && env !== '') return env.split(':')[0] ?? env;
  return resolve(homedir(), '.kube', 'config');
}

export function loadKubeconfig(path: string = defaultKubeconfigPath(), o: { context?: string } = {}): RestConfig {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_KUBECONFIG_BYTES) {
      throw new KubeconfigError(`kubeconfig ${path} is ${size} bytes, more than ${MAX_KUBECONFIG_BYTES}`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof KubeconfigError) throw e;
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(e as Error).message}`);
  }
  return parseKubeconfig(text, path, o);
}

/** Parses kubeconfig text; `path` names the file in errors and anchors relative paths. */
export function parseKubeconfig(text: string, path: string, o: { context?: string } = {}): RestConfig {
  const fail = (msg: string): never => { throw new KubeconfigError(`kubeconfig ${path}: ${msg}`); };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return fail(`not valid YAML: ${(e as Error).message}`);
  }
  if (!isObj(doc)) return fail('not a mapping (expected apiVersion: v1, kind: Config)');
  const contextName = o.context ?? str(doc, 'current-context', 'the file', fail);
  if (contextName === undefined || contextName === '') {
    return fail('no "current-context" is set and no context was asked for');
  }
  const context = named(doc, 'contexts', 'context', contextName, fail);
  const clusterName = str(context, 'cluster', `context "${contextName}"`, fail);
  if (clusterName === undefined || clusterName === '') return fail(`context "${contextName}" has no "cluster"`);
  const cluster = named(doc, 'clusters', 'cluster', clusterName, fail);
  const base = dirname(resolve(path));
  const out: RestConfig = { server: '', insecureSkipTlsVerify: false, namespace: 'default', contextName };
  readCluster(cluster, `cluster "${clusterName}"`, base, out, fail);
  const userName = str(context, 'user', `context "${contextName}"`, fail);
  if (userName !== undefined && userName !== '') {
    readUser(named(doc, 'users', 'user', userName, fail), `user "${userName}"`, base, out, fail);
  }
  const ns = str(context, 'namespace', `context "${contextName}"`, fail);
  if (ns !== undefined && ns !== '') out.namespace = ns;
  return out;
}

type Fail = (msg: string) => never;

function str(o: Obj, key: string, where: string, fail: Fail): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail(`${where}: "${key}" must be a string`);
  return v;
}

/** Finds `{name, <field>: {...}}` in the list `listKey`. */
function named(doc: Obj, listKey: string, field: string, name: string, fail: Fail): Obj {
  const list = doc[listKey];
  if (!Array.isArray(list)) return fail(`no "${listKey}" list, so ${field} "${name}" cannot be found`);
  for (const entry of list) {
    if (isObj(entry) && entry['name'] === name) {
      const body = entry[field];
      if (!isObj(body)) return fail(`${field} "${name}" has no "${field}" mapping`);
      return body;
    }
  }
  return fail(`${field} "${name}" not found in "${listKey}"`);
}

/** Reads `<key>-data` (base64) or `<key>` (a path) and returns PEM text. */
function pemOf(o: Obj, key: string, where: string, base: string, fail: Fail): string | undefined {
  const data = str(o, `${key}-data`, where, fail);
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const file = str(o, key, where, fail);
  if (file === undefined || file === '') return undefined;
  const p = isAbsolute(file) ? file : resolve(base, file);
  try {
    return readFileSync(p, 'utf8');
  } catch (e) {
    return fail(`${where}: cannot read "${key}" ${p}: ${(e as Error).message}`);
  }
}

function readCluster(c: Obj, where: string, base: string, out: RestConfig, fail: Fail): void {
  const server = str(c, 'server', where, fail);
  if (server === undefined || server === '') return fail(`${where} has no "server"`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return fail(`${where}: "server" ${JSON.stringify(server)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`${where}: "server" must be http(s)`);
  out.server = server.replace(/\/+$/, '');
  const insecure = c['insecure-skip-tls-verify'];
  if (insecure !== undefined && typeof insecure !== 'boolean') {
    return fail(`${where}: "insecure-skip-tls-verify" must be true or false`);
  }
  out.insecureSkipTlsVerify = insecure === true;
  const ca = pemOf(c, 'certificate-authority', where, base, fail);
  if (ca !== undefined) out.caPem = ca;
  if (ca !== undefined && out.insecureSkipTlsVerify) {
    // clientcmd refuses this combination too.
    return fail(`${where}: "certificate-authority" and "insecure-skip-tls-verify" cannot both be set`);
  }
  const sni = str(c, 'tls-server-name', where, fail);
  if (sni !== undefined && sni !== '') out.tlsServerName = sni;
}

function readUser(u: Obj, where: string, base: string, out: RestConfig, fail: Fail): void {
  const token = str(u, 'token', where, fail);
  if (token !== undefined && token !== '') {
    out.token = token;
  } else {
    const tokenFile = str(u, 'tokenFile', where, fail);
    if (tokenFile !== undefined && tokenFile !== '') {
      const p = isAbsolute(tokenFile) ? tokenFile : resolve(base, tokenFile);
      try {
        out.token = readFileSync(p, 'utf8').trim();
      } catch (e) {
        fail(`${where}: cannot read "tokenFile" ${p}: ${(e as Error).message}`);
      }
    }
  }
  const cert = pemOf(u, 'client-certificate', where, base, fail);
  const key = pemOf(u, 'client-key', where, base, fail);
  if (cert !== undefined && key === undefined) {
    return fail(`${where} has "client-certificate" but no "client-key" or "client-key-data"`);
  }
  if (key !== undefined && cert === undefined) {
    return fail(`${where} has "client-key" but no "client-certificate" or "client-certificate-data"`);
  }
  if (cert !== undefined) out.clientCertPem = cert;
  if (key !== undefined) out.clientKeyPem = key;
}
