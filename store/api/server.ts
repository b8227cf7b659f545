// The etcd v3 gRPC server: plain-text HTTP/2 (TLS comes later), the six etcd services over
// one EtcdBackend. close() is graceful: new calls are refused ("etcdserver: server
// stopped"), open streams (watch, keep-alive, snapshot) are ended with that status so
// clients reconnect elsewhere, in-flight unary calls finish (up to CLOSE_GRACE_MS), then
// connections close.

import { Server, ServerCredentials, type ChannelOptions, type MethodDefinition } from '@grpc/grpc-js';
import type { EtcdBackend } from './backend.js';
import { fastMethods, installFastUnary } from './fast-unary.js';
import {
  CLOSE_GRACE_MS, GRPC_KEEPALIVE_MIN_TIME_MS, GRPC_KEEPALIVE_INTERVAL_MS, GRPC_KEEPALIVE_TIMEOUT_MS,
  MAX_CONCURRENT_STREAMS_PER_CONNECTION, MAX_KEEPALIVE_STREAMS, MAX_RECEIVE_MESSAGE_BYTES, MAX_SNAPSHOT_STREAMS,
  MAX_WATCH_STREAMS,
} from './limits.js';
import { serverServiceDefinitions } from './proto.js';
import { CallTracker, silentLogger, type ApiLogger, type ServiceContext } from './services/common.js';
import { kvService } from './services/kv.js';
import { watchService } from './services/watch.js';
import { leaseService } from './services/lease.js';
import { clusterService } from './services/cluster.js';
import { maintenanceService } from './services/maintenance.js';
import { authService } from './services/auth.js';

export type { ApiLogger } from './services/common.js';

export interface EtcdApiServerOptions {
  /** Address to listen on (127.0.0.1 in tests). */
  host: string;
  /** 0 = pick a free port. */
  port: number;
  backend: EtcdBackend;
  clusterId: bigint;
  memberId: bigint;
  logger?: ApiLogger;
}

export interface EtcdApiServer {
  /** The port actually bound. */
  readonly port: number;
  close(): Promise<void>;
}

/** gRPC server settings, etcd's where etcd sets them (v3rpc/grpc.go, embed config). */
export const SERVER_CHANNEL_OPTIONS: ChannelOptions = Object.freeze({
  'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
  'grpc.max_send_message_length': -1,
  'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS_PER_CONNECTION,
  'grpc.keepalive_time_ms': GRPC_KEEPALIVE_INTERVAL_MS,
  'grpc.keepalive_timeout_ms': GRPC_KEEPALIVE_TIMEOUT_MS,
  'grpc.http2.min_ping_interval_without_data_ms': GRPC_KEEPALIVE_MIN_TIME_MS,
  // Per-call counters and timestamps nobody reads (no channelz service is exposed).
  'grpc.enable_channelz': 0,
});

function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

function shutdown(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startEtcdApiServer(options: EtcdApiServerOptions): Promise<EtcdApiServer> {
  const logger = options.logger ?? silentLogger;
  const tracker = new CallTracker({ watch: MAX_WATCH_STREAMS, keepalive: MAX_KEEPALIVE_STREAMS,
    snapshot: MAX_SNAPSHOT_STREAMS });
  const ctx: ServiceContext = {
    backend: options.backend, clusterId: options.clusterId, memberId: options.memberId, logger, tracker,
  };
  const defs = serverServiceDefinitions();
  const server = new Server(SERVER_CHANNEL_OPTIONS);
  const kv = kvService(ctx);
  server.addService(defs.KV, kv);
  server.addService(defs.Watch, watchService(ctx));
  server.addService(defs.Lease, leaseService(ctx));
  server.addService(defs.Cluster, clusterService(ctx));
  server.addService(defs.Maintenance, maintenanceService(ctx));
  server.addService(defs.Auth, authService(ctx));
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await bind(server, `${host}:${options.port}`);
  const kvMethods = fastMethods(defs.KV as unknown as Record<string, MethodDefinition<object, object>>, kv);
  if (!installFastUnary(server, kvMethods, MAX_RECEIVE_MESSAGE_BYTES)) {
    logger.warn({}, 'grpc-js internals changed: KV calls go through grpc-js (slower, same answers)');
  }
  logger.info({ host: options.host, port }, 'etcd v3 API serving');

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    tracker.beginClose();
    const drained = await tracker.drainUnary(CLOSE_GRACE_MS);
    if (!drained) logger.warn({ inflight: tracker.inflightUnary }, 'etcd v3 API closing with calls in flight');
    await shutdown(server, drained ? CLOSE_GRACE_MS : 0);
    logger.info({ port }, 'etcd v3 API closed');
  };
  return {
    port,
    close: () => (closing ??= close()),
  };
}
