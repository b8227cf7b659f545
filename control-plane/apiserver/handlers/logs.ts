// pods/log: the apiserver finds the pod's node and streams the container's log from that
// node's kubelet (GET /containerLogs/NS/POD/CONTAINER on status.addresses' InternalIP and
// status.daemonEndpoints.kubeletEndpoint.Port), as kube-apiserver does for `kubectl logs`.
import { request } from 'node:http';
import { badRequest, findResource, type JsonObject, notFound, serviceUnavailable } from '../../api/index.js';
import type { RequestContext } from '../http/context.js';
import type { HandlerDeps } from './deps.js';

const PODS = findResource('', 'pods')!;
const NODES = findResource('', 'nodes')!;
const PASSED = ['follow', 'tailLines', 'previous', 'timestamps', 'sinceSeconds', 'limitBytes'];

function containerNames(pod: JsonObject): string[] {
  const spec = (pod['spec'] ?? {}) as JsonObject;
  return ((spec['containers'] ?? []) as JsonObject[]).map((c) => String(c['name']));
}

export async function handleLogs(d: HandlerDeps, ctx: RequestContext): Promise<void> {
  const name = ctx.info.name;
  const pod = (await d.store.get(d.keys.objectKey(PODS, ctx.info.namespace, name)))?.object;
  if (!pod) return ctx.sendStatus(notFound({ group: '', resource: 'pods' }, name));
  const names = containerNames(pod);
  let container = ctx.query.get('container') ?? '';
  if (container === '') {
    if (names.length !== 1) {
      return ctx.sendStatus(badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`));
    }
    container = names[0]!;
  } else if (!names.includes(container)) {
    const init = (((pod['spec'] ?? {}) as JsonObject)['initContainers'] ?? []) as JsonObject[];
    if (!init.some((c) => c['name'] === container)) {
      return ctx.sendStatus(badRequest(`container ${container} is not valid for pod ${name}`));
    }
  }
  const nodeName = String(((pod['spec'] ?? {}) as JsonObject)['nodeName'] ?? '');
  if (nodeName === '') return ctx.sendStatus(badRequest(`pod ${name} does not have a host assigned`));
  const node = d.cacher.cache(NODES).getByKey(d.keys.objectKey(NODES, '', nodeName))?.object
    ?? (await d.store.get(d.keys.objectKey(NODES, '', nodeName)))?.object;
  const status = (node?.['status'] ?? {}) as JsonObject;
  const address = ((status['addresses'] ?? []) as JsonObject[]).find((a) => a['type'] === 'InternalIP')?.['address'];
  const port = ((((status['daemonEndpoints'] ?? {}) as JsonObject)['kubeletEndpoint'] ?? {}) as JsonObject)['Port'];
  if (typeof address !== 'string' || typeof port !== 'number' || port === 0) {
    return ctx.sendStatus(serviceUnavailable(`node ${nodeName} does not report a kubelet endpoint`));
  }
  const q = new URLSearchParams();
  for (const k of PASSED) {
    const v = ctx.query.get(k);
    if (v !== null) q.set(k, v);
  }
  const path = `/containerLogs/${encodeURIComponent(ctx.info.namespace)}/${encodeURIComponent(name)}/` +
    `${encodeURIComponent(container)}?${q.toString()}`;
  await new Promise<void>((resolve) => {
    const upstream = request({ host: address, port, path, method: 'GET', timeout: 10_000 }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c.slice(0, 2000)));
        res.on('end', () => {
          ctx.sendStatus(res.statusCode === 404 ? notFound({ group: '', resource: 'pods' }, name)
            : badRequest(text.trim() || `the kubelet on ${nodeName} answered ${res.statusCode}`));
          resolve();
        });
        return;
      }
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.pipe(ctx.res);
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', (e) => {
      if (!ctx.answered) ctx.sendStatus(serviceUnavailable(`cannot reach the kubelet of node ${nodeName}: ${e.message}`));
      else ctx.res.end();
      resolve();
    });
    ctx.req.on('close', () => upstream.destroy());
    upstream.end();
  });
}
