// The errors the API answers with. Each one is etcd's: the gRPC status code and the exact
// message of etcd's api/v3rpc/rpctypes/error.go, which clients match on (clientv3 turns
// the message back into its typed error, etcdctl prints it). A backend reports an expected
// refusal by throwing an EtcdApiError from this catalogue; anything else that escapes a
// backend is a bug and is answered like etcd answers an unknown error (UNKNOWN + text).

import { status as GrpcStatus } from '@grpc/grpc-js';

export type GrpcCodeName =
  | 'INVALID_ARGUMENT' | 'OUT_OF_RANGE' | 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE' | 'PERMISSION_DENIED' | 'UNAUTHENTICATED' | 'DATA_LOSS' | 'UNIMPLEMENTED' | 'UNKNOWN';

export interface EtcdErrorDef {
  /** Stable code for programs. */
  readonly code: string;
  readonly grpcCode: GrpcCodeName;
  /** etcd's exact message. */
  readonly message: string;
}

function def(code: string, grpcCode: GrpcCodeName, message: string): EtcdErrorDef {
  return Object.freeze({ code: `FLOTILLA_ERR_${code}`, grpcCode, message });
}

export const EtcdErrors = Object.freeze({
  emptyKey: def('EMPTY_KEY', 'INVALID_ARGUMENT', 'etcdserver: key is not provided'),
  keyNotFound: def('KEY_NOT_FOUND', 'INVALID_ARGUMENT', 'etcdserver: key not found'),
  valueProvided: def('VALUE_PROVIDED', 'INVALID_ARGUMENT', 'etcdserver: value is provided'),
  leaseProvided: def('LEASE_PROVIDED', 'INVALID_ARGUMENT', 'etcdserver: lease is provided'),
  tooManyOps: def('TOO_MANY_OPS', 'INVALID_ARGUMENT', 'etcdserver: too many operations in txn request'),
  duplicateKey: def('DUPLICATE_KEY', 'INVALID_ARGUMENT', 'etcdserver: duplicate key given in txn request'),
  invalidSortOption: def('INVALID_SORT_OPTION', 'INVALID_ARGUMENT', 'etcdserver: invalid sort option'),
  compacted: def('COMPACTED', 'OUT_OF_RANGE', 'etcdserver: mvcc: required revision has been compacted'),
  futureRev: def('FUTURE_REV', 'OUT_OF_RANGE', 'etcdserver: mvcc: required revision is a future revision'),
  noSpace: def('NO_SPACE', 'RESOURCE_EXHAUSTED', 'etcdserver: mvcc: database space exceeded'),

  leaseNotFound: def('LEASE_NOT_FOUND', 'NOT_FOUND', 'etcdserver: requested lease not found'),
  leaseExist: def('LEASE_EXIST', 'FAILED_PRECONDITION', 'etcdserver: lease already exists'),
  leaseTtlTooLarge: def('LEASE_TTL_TOO_LARGE', 'OUT_OF_RANGE', 'etcdserver: too large lease TTL'),

  memberExist: def('MEMBER_EXIST', 'FAILED_PRECONDITION', 'etcdserver: member ID already exist'),
  peerUrlExist: def('PEER_URL_EXIST', 'FAILED_PRECONDITION', 'etcdserver: Peer URLs already exists'),
  memberNotEnoughStarted: def('MEMBER_NOT_ENOUGH_STARTED', 'FAILED_PRECONDITION',
    'etcdserver: re-configuration failed due to not enough started members'),
  memberBadUrls: def('MEMBER_BAD_URLS', 'INVALID_ARGUMENT', 'etcdserver: given member URLs are invalid'),
  memberNotFound: def('MEMBER_NOT_FOUND', 'NOT_FOUND', 'etcdserver: member not found'),
  memberNotLearner: def('MEMBER_NOT_LEARNER', 'FAILED_PRECONDITION', 'etcdserver: can only promote a learner member'),
  learnerNotReady: def('LEARNER_NOT_READY', 'FAILED_PRECONDITION',
    'etcdserver: can only promote a learner member which is in sync with leader'),
  tooManyLearners: def('TOO_MANY_LEARNERS', 'FAILED_PRECONDITION', 'etcdserver: too many learner members in cluster'),

  requestTooLarge: def('REQUEST_TOO_LARGE', 'INVALID_ARGUMENT', 'etcdserver: request is too large'),
  tooManyRequests: def('TOO_MANY_REQUESTS', 'RESOURCE_EXHAUSTED', 'etcdserver: too many requests'),

  rootUserNotExist: def('ROOT_USER_NOT_EXIST', 'FAILED_PRECONDITION', 'etcdserver: root user does not exist'),
  authNotEnabled: def('AUTH_NOT_ENABLED', 'FAILED_PRECONDITION', 'etcdserver: authentication is not enabled'),
  userNotFound: def('USER_NOT_FOUND', 'FAILED_PRECONDITION', 'etcdserver: user name not found'),
  roleNotFound: def('ROLE_NOT_FOUND', 'FAILED_PRECONDITION', 'etcdserver: role name not found'),

  noLeader: def('NO_LEADER', 'UNAVAILABLE', 'etcdserver: no leader'),
  notLeader: def('NOT_LEADER', 'FAILED_PRECONDITION', 'etcdserver: not leader'),
  leaderChanged: def('LEADER_CHANGED', 'UNAVAILABLE', 'etcdserver: leader changed'),
  notCapable: def('NOT_CAPABLE', 'UNAVAILABLE', 'etcdserver: not capable'),
  stopped: def('STOPPED', 'UNAVAILABLE', 'etcdserver: server stopped'),
  timeout: def('TIMEOUT', 'UNAVAILABLE', 'etcdserver: request timed out'),
  timeoutDueToLeaderFail: def('TIMEOUT_DUE_TO_LEADER_FAIL', 'UNAVAILABLE',
    'etcdserver: request timed out, possibly due to previous leader failure'),
  timeoutDueToConnectionLost: def('TIMEOUT_DUE_TO_CONNECTION_LOST', 'UNAVAILABLE',
    'etcdserver: request timed out, possibly due to connection lost'),
  unhealthy: def('UNHEALTHY', 'UNAVAILABLE', 'etcdserver: unhealthy cluster'),
  corrupt: def('CORRUPT', 'DATA_LOSS', 'etcdserver: corrupt cluster'),
  notSupportedForLearner: def('NOT_SUPPORTED_FOR_LEARNER', 'UNAVAILABLE', 'etcdserver: rpc not supported for learner'),
  badLeaderTransferee: def('BAD_LEADER_TRANSFEREE', 'FAILED_PRECONDITION', 'etcdserver: bad leader transferee'),

  clusterVersionUnavailable: def('CLUSTER_VERSION_UNAVAILABLE', 'UNAVAILABLE',
    'etcdserver: cluster version not found during downgrade'),
  wrongDowngradeVersionFormat: def('WRONG_DOWNGRADE_VERSION_FORMAT', 'INVALID_ARGUMENT',
    'etcdserver: wrong downgrade target version format'),
  invalidDowngradeTargetVersion: def('INVALID_DOWNGRADE_TARGET_VERSION', 'INVALID_ARGUMENT',
    'etcdserver: invalid downgrade target version'),
  noInflightDowngrade: def('NO_INFLIGHT_DOWNGRADE', 'FAILED_PRECONDITION', 'etcdserver: no inflight downgrade job'),
});

export type EtcdErrorName = keyof typeof EtcdErrors;

/** An expected refusal, carrying etcd's status code and message. */
export class EtcdApiError extends Error {
  readonly code: string;
  readonly grpcCode: GrpcCodeName;

  constructor(def: EtcdErrorDef) {
    super(def.message);
    this.name = 'EtcdApiError';
    this.code = def.code;
    this.grpcCode = def.grpcCode;
  }
}

export function etcdError(name: EtcdErrorName): EtcdApiError {
  return new EtcdApiError(EtcdErrors[name]);
}

/** Find the catalogue entry whose message is `message` (for backends that report etcd text). */
export function errorByMessage(message: string): EtcdErrorDef | undefined {
  for (const d of Object.values(EtcdErrors)) if (d.message === message) return d;
  return undefined;
}

export interface GrpcServiceError {
  code: GrpcStatus;
  details: string;
  message: string;
}

export function grpcCodeOf(name: GrpcCodeName): GrpcStatus {
  return GrpcStatus[name];
}

/** What a call fails with: etcd's status for an EtcdApiError, UNKNOWN + text for anything else. */
export function toServiceError(err: unknown): GrpcServiceError {
  if (err instanceof EtcdApiError) {
    return { code: grpcCodeOf(err.grpcCode), details: err.message, message: err.message };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { code: GrpcStatus.UNKNOWN, details: text, message: text };
}
