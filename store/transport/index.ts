// The peer transport's public surface; everything else in this folder is internal.
export { PeerTransport, parsePeerUrl } from './transport.js';
export type { PeerTransportOptions, TransportTestHooks } from './transport.js';
export { DEFAULT_TRANSPORT_LIMITS, resolveLimits } from './limits.js';
export type { TransportLimits } from './limits.js';
export type { TransportLogger } from './logger.js';
export type { InboundCounters, OutboundCounters, PeerMetrics, TransportMetrics } from './metrics.js';
export { PROTOCOL_VERSION } from './codec.js';
export * from './errors.js';
