// Who sent a request: kube-apiserver's authentication chain for the two methods we
// support, in Kubernetes' union order — a verified client certificate (x509.CommonNameUserConversion),
// then a bearer token (bearertoken + tokenfile), then, when enabled, anonymous with
// FailOnError semantics: a presented but invalid token is a 401 even if anonymous is on.
// Successful users get system:authenticated (AuthenticatedGroupAdder).
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_BEARER_TOKEN_CHARS } from './limits.js';
import type { UserInfo } from './token-file.js';

/** user.AllAuthenticated / AllUnauthenticated / Anonymous. */
export const GROUP_AUTHENTICATED = 'system:authenticated';
export const GROUP_UNAUTHENTICATED = 'system:unauthenticated';
export const USER_ANONYMOUS = 'system:anonymous';

/**
 * The subject of a TLS peer certificate as node:tls reports it (a repeated attribute is an
 * array), so `socket.getPeerCertificate()` can be passed as is.
 */
export interface PeerCertificateSubject {
  subject?: { CN?: string | string[]; O?: string | string[] };
}

export type AuthenticationResult = { ok: true; user: UserInfo } | { ok: false; reason: string };

export interface AuthenticatorOptions {
  tokens?: Map<string, UserInfo>;
  /** --anonymous-auth; Kubernetes defaults it to true, we default to false. */
  anonymous?: boolean;
}

type Attempt = { kind: 'user'; user: UserInfo } | { kind: 'none' } | { kind: 'error'; reason: string };

/** x509 CommonNameUserConversion: CN is the user, O the groups; no CN means no opinion. */
function fromCertificate(peerCert: PeerCertificateSubject | null | undefined): Attempt {
  const subject = peerCert?.subject;
  // Go's pkix.Name keeps the last CommonName when a certificate repeats it.
  const cn = Array.isArray(subject?.CN) ? subject.CN[subject.CN.length - 1] : subject?.CN;
  if (cn === undefined || cn === '') return { kind: 'none' };
  const o = subject?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? [...o] : [o];
  return { kind: 'user', user: { name: cn, uid: '', groups } };
}

/**
 * bearertoken.Authenticator: `Authorization: Bearer TOKEN`, scheme case-insensitive, split
 * on single spaces; another scheme or an empty token is no opinion (so anonymous may apply).
 */
function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers.authorization;
  if (typeof raw !== 'string') return undefined;
  const parts = raw.trim().split(' ');
  if (parts.length < 2 || (parts[0] as string).toLowerCase() !== 'bearer') return undefined;
  const token = parts[1] as string;
  return token === '' ? undefined : token;
}

/** AuthenticatedGroupAdder: adds system:authenticated unless either all-users group is already there. */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = [...user.groups];
  if (!groups.includes(GROUP_AUTHENTICATED) && !groups.includes(GROUP_UNAUTHENTICATED)) {
    groups.push(GROUP_AUTHENTICATED);
  }
  return { name: user.name, uid: user.uid, groups };
}

export class Authenticator {
  readonly #tokens: ReadonlyMap<string, UserInfo>;
  readonly #anonymous: boolean;

  constructor(o: AuthenticatorOptions) {
    this.#tokens = o.tokens ?? new Map();
    this.#anonymous = o.anonymous ?? false;
  }

  /**
   * `peerCert` must be passed only when TLS verified it against the client CA
   * (`socket.authorized`): with `requestCert` and `rejectUnauthorized: false` node:tls also
   * reports certificates it could not verify.
   */
  authenticate(headers: IncomingHttpHeaders, peerCert?: PeerCertificateSubject | null): AuthenticationResult {
    const cert = fromCertificate(peerCert);
    if (cert.kind === 'user') return { ok: true, user: withAuthenticatedGroup(cert.user) };
    const token = this.#fromToken(headers);
    if (token.kind === 'user') return { ok: true, user: withAuthenticatedGroup(token.user) };
    if (token.kind === 'error') return { ok: false, reason: token.reason };
    if (this.#anonymous) {
      return { ok: true, user: { name: USER_ANONYMOUS, uid: '', groups: [GROUP_UNAUTHENTICATED] } };
    }
    return { ok: false, reason: 'no credentials: send a bearer token or a client certificate' };
  }

  #fromToken(headers: IncomingHttpHeaders): Attempt {
    const token = bearerToken(headers);
    if (token === undefined) return { kind: 'none' };
    const user = token.length <= MAX_BEARER_TOKEN_CHARS ? this.#tokens.get(token) : undefined;
    // Kubernetes' wording when the token authenticator has no user for the token.
    return user === undefined ? { kind: 'error', reason: 'invalid bearer token' } : { kind: 'user', user };
  }
}

/**
 * The user a service account authenticates as (serviceaccount.UserInfo): its username and
 * the groups system:serviceaccounts and system:serviceaccounts:NAMESPACE, which RBAC
 * bindings use to grant to every service account (of a namespace).
 */
export function serviceAccountUserInfo(namespace: string, name: string, uid: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
  };
}
