// What a request is about, derived from its method and URL alone: Kubernetes'
// RequestInfoFactory.NewRequestInfo (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go),
// rule for rule, so RBAC and audit see the same verb/resource/name Kubernetes would.
import { parseFieldSelector } from '../../api/index.js';
import { RequestInfoError } from './errors.js';

export interface RequestInfo {
  isResourceRequest: boolean;
  /** The URL path, percent-decoded as Go's url.URL.Path is. */
  path: string;
  /** Kubernetes verb for resource requests; the lowercased HTTP method otherwise. */
  verb: string;
  /** 'api' | 'apis' | '' (non-resource). */
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** The path segments from the resource on: resource/name/subresource/... */
  parts: string[];
}

/** Prefixes under which resources live; 'api' is the legacy, group-less one (APIPrefixes, GrouplessAPIPrefixes). */
const API_PREFIXES = new Set(['api', 'apis']);
const GROUPLESS_API_PREFIXES = new Set(['api']);
/** Verbs carried as a path prefix: /api/v1/watch/..., /api/v1/proxy/... (specialVerbs). */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
/** Special verbs whose third part is not a subresource (specialVerbsNoSubresources). */
const SPECIAL_VERBS_NO_SUBRESOURCES = new Set(['proxy']);
/** Subresources of the namespace object itself: /api/v1/namespaces/NAME/status (namespaceSubresources). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Readonly<Record<string, string>> = {
  POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete',
};

/** Go's url.URL.Path: the decoded path. An undecodable path stays as sent (Go would have refused it earlier). */
function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return url.pathname;
  }
}

/** splitPath: trim slashes, split; the root is no parts at all. */
function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

/** Go's strconv-free bool query decoding (Convert_Slice_string_To_bool): only "0" and "false" are false. */
function queryBool(values: string[]): boolean {
  const first = values[0];
  if (first === undefined) return false;
  return !(first === '0' || first.toLowerCase() === 'false');
}

/** path.IsValidPathSegmentName: what a name from a field selector must be to be used as the request's name. */
function isValidPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

/**
 * A GET without a name is a list, or a watch with ?watch; a fieldSelector pinning
 * metadata.name names the object (so RBAC resourceNames apply to single-object list/watch).
 * When the query does not decode (a bad fieldSelector) Kubernetes keeps only `watch`.
 */
function collectionGet(info: RequestInfo, query: URLSearchParams): void {
  info.verb = queryBool(query.getAll('watch')) ? 'watch' : 'list';
  const selector = query.get('fieldSelector');
  if (selector === null) return;
  const parsed = parseFieldSelector(selector);
  if (!parsed.ok) return;
  const name = parsed.value.requiresExactMatch('metadata.name');
  if (name !== undefined && isValidPathSegmentName(name)) info.name = name;
}

function nonResource(path: string, method: string): RequestInfo {
  return {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '',
    namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
}

/** RequestInfoFactory.NewRequestInfo. Throws RequestInfoError where Kubernetes returns an error. */
export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = decodedPath(url);
  const info = nonResource(path, method);
  let parts = splitPath(path);
  // /api/v1/RESOURCE is the shortest resource path; /apis needs a group as well.
  if (parts.length < 3 || !API_PREFIXES.has(parts[0] as string)) return info;
  const apiPrefix = parts[0] as string;
  parts = parts.slice(1);
  let apiGroup = '';
  if (!GROUPLESS_API_PREFIXES.has(apiPrefix)) {
    if (parts.length < 3) return info; // /apis/GROUP/VERSION is discovery
    apiGroup = parts[0] as string;
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiPrefix = apiPrefix;
  info.apiGroup = apiGroup;
  info.apiVersion = parts[0] as string;
  parts = parts.slice(1);

  if (SPECIAL_VERBS.has(parts[0] as string)) {
    if (parts.length < 2) throw new RequestInfoError(`unable to determine kind and namespace from url, ${url.href}`);
    info.verb = parts[0] as string;
    parts = parts.slice(1);
  } else {
    info.verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }

  // /namespaces/NS/RESOURCE/... is relative to RESOURCE; /namespaces/NS and its own
  // subresources are the namespace object, whose namespace is itself.
  if (parts[0] === 'namespaces' && parts.length > 1) {
    info.namespace = parts[1] as string;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
  }
  info.parts = parts;
  if (parts.length >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.has(info.verb)) info.subresource = parts[2] as string;
  if (parts.length >= 2) info.name = parts[1] as string;
  if (parts.length >= 1) info.resource = parts[0] as string;

  if (info.name === '' && info.verb === 'get') collectionGet(info, url.searchParams);
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
