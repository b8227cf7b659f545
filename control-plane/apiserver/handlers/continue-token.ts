// LIST continue tokens, shaped like Kubernetes' (base64 of {"v":"meta.k8s.io/v1","rv":R,
// "start":KEY}) with the key relative to the collection's prefix, so a token cannot be used
// to read outside the collection it came from.
import { badRequest, type Status } from '../../api/index.js';

interface Token { v: string; rv: number; start: string }

export function encodeContinue(rv: number, prefix: string, nextKey: string): string {
  const t: Token = { v: 'meta.k8s.io/v1', rv, start: nextKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { rv: number; startKey: string } | Status {
  let t: Token;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
  } catch {
    return badRequest('continue key is not valid: illegal base64 data or JSON');
  }
  if (t.v !== 'meta.k8s.io/v1') return badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof t.rv !== 'number' || !Number.isInteger(t.rv) || t.rv <= 0) {
    return badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof t.start !== 'string' || t.start.includes('..') || t.start.startsWith('/')) {
    return badRequest('continue key is not valid: key is not valid');
  }
  return { rv: t.rv, startKey: prefix + t.start };
}
