// control-plane/client: the Kubernetes API client the scheduler, controllers and node agents use
// (client-go's role). See README.md for what maps to which client-go concept.
export * from './errors.js';
export * from './limits.js';
export { TokenBucket, sleep, monotonicMs, type Clock } from './flowcontrol.js';
export { loadKubeconfig, parseKubeconfig, defaultKubeconfigPath, type RestConfig } from './kubeconfig.js';
export {
  ApiClient, PATCH_CONTENT_TYPES, collectionPath, resourcePath, groupVersionPath,
  type ApiClientOptions, type RequestOptions, type ListOptions, type WriteOptions, type DeleteCallOptions,
  type WatchOptions, type PatchType, type KubeObject, type ApiCall,
} from './rest-client.js';
export { WatchStream, WatchDecoder, LineDecoder, parseWatchEvent, checkWatchEvent, type WatchOpener } from './watch.js';
export { Indexer, keyOf, splitKey, namespaceIndexFunc, NAMESPACE_INDEX, type IndexFunc } from './store.js';
export {
  SharedInformer, isTombstone, type ListerWatcher, type DeletedFinalStateUnknown, type EventHandler,
  type InformerOptions, type InformerMetrics,
} from './informer.js';
export {
  WorkQueue, runWorkers, defaultControllerRateLimiter, ItemExponentialRateLimiter, BucketRateLimiter,
  MaxOfRateLimiter, type RateLimiter, type WorkQueueOptions, type GetResult, type RunWorkersOptions,
  type ControllerRateLimiterOptions,
} from './workqueue.js';
export {
  LeaderElector, LEASES, formatMicroTime, nowMicros, durationMsOf, type LeaseClient, type LeaderElectionOptions,
  type LeaderElectionMetrics,
} from './leader-election.js';
