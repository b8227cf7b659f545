// Content negotiation: what a client asked the response to be (Accept) and what its body is
// (Content-Type). kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io, ...,
// application/json` and falls back to the plain object when Tables are not offered; internal
// components may ask for msgpack (`application/vnd.flotilla.msgpack`), which is compact and
// cheap to decode. Anything else that a client will accept gets JSON.

export type ResponseEncoding = 'json' | 'msgpack';

export interface AcceptChoice {
  readonly encoding: ResponseEncoding;
  /** A meta.k8s.io/v1 Table (v1beta1 answered as v1, which kubectl reads the same). */
  readonly table: boolean;
  /** as=PartialObjectMetadata(List): only metadata. */
  readonly metadataOnly: boolean;
}

export const MSGPACK_MEDIA_TYPE = 'application/vnd.flotilla.msgpack';

interface MediaRange { type: string; params: Map<string, string> }

function parseAccept(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type = '', ...rest] = part.split(';').map((s) => s.trim());
    const params = new Map<string, string>();
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, ''));
    }
    return { type: type.toLowerCase(), params };
  }).filter((m) => m.type !== '');
}

/** The first acceptable representation, or undefined when none is (406). */
export function negotiate(accept: string | undefined): AcceptChoice | undefined {
  if (accept === undefined || accept.trim() === '') return { encoding: 'json', table: false, metadataOnly: false };
  for (const m of parseAccept(accept)) {
    const as = m.params.get('as');
    const g = m.params.get('g');
    if (m.type === MSGPACK_MEDIA_TYPE) return { encoding: 'msgpack', table: false, metadataOnly: false };
    const jsonish = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';
    if (!jsonish) continue;
    if (as === undefined) return { encoding: 'json', table: false, metadataOnly: false };
    if (as === 'Table' && g === 'meta.k8s.io') return { encoding: 'json', table: true, metadataOnly: false };
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && g === 'meta.k8s.io') {
      return { encoding: 'json', table: false, metadataOnly: true };
    }
  }
  return undefined;
}

/** The media type of a request body, without parameters ("application/json"). */
export function bodyMediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}
