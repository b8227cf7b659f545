// The in-tree registry: plugin name → factory, and kube-scheduler's default multiPoint
// plugin set with its score weights (apis/config/v1/default_plugins.go), minus the volume
// plugins and ImageLocality that Flotilla does not have.
import type { AnyPlugin, PluginFactory } from '../framework.js';
import { balancedAllocationPlugin, BALANCED_ALLOCATION } from './balanced-allocation.js';
import { defaultBinderPlugin, DEFAULT_BINDER } from './default-binder.js';
import { defaultPreemptionPlugin, DEFAULT_PREEMPTION, type PreemptionArgs } from './default-preemption.js';
import { interPodAffinityPlugin, INTER_POD_AFFINITY } from './inter-pod-affinity.js';
import { nodeAffinityPlugin, NODE_AFFINITY } from './node-affinity.js';
import { nodeNamePlugin, NODE_NAME } from './node-name.js';
import { nodePortsPlugin, NODE_PORTS } from './node-ports.js';
import { nodeResourcesFitPlugin, NODE_RESOURCES_FIT, type FitArgs } from './node-resources-fit.js';
import { nodeUnschedulablePlugin, NODE_UNSCHEDULABLE } from './node-unschedulable.js';
import { podTopologySpreadPlugin, POD_TOPOLOGY_SPREAD } from './pod-topology-spread.js';
import { taintTolerationPlugin, TAINT_TOLERATION } from './taint-toleration.js';

export const PRIORITY_SORT = 'PrioritySort';
export const SCHEDULING_GATES = 'SchedulingGates';

/** Plugins the queue implements itself (QueueSort, PreEnqueue): named so configs may list them. */
const marker = (name: string): PluginFactory => (): AnyPlugin => ({ name });

export const IN_TREE_REGISTRY: ReadonlyMap<string, PluginFactory> = new Map<string, PluginFactory>([
  [SCHEDULING_GATES, marker(SCHEDULING_GATES)],
  [PRIORITY_SORT, marker(PRIORITY_SORT)],
  [NODE_UNSCHEDULABLE, () => nodeUnschedulablePlugin()],
  [NODE_NAME, () => nodeNamePlugin()],
  [TAINT_TOLERATION, () => taintTolerationPlugin()],
  [NODE_AFFINITY, () => nodeAffinityPlugin()],
  [NODE_PORTS, () => nodePortsPlugin()],
  [NODE_RESOURCES_FIT, (args) => nodeResourcesFitPlugin(args as FitArgs)],
  [POD_TOPOLOGY_SPREAD, (_args, h) => podTopologySpreadPlugin(h)],
  [INTER_POD_AFFINITY, (args, h) => interPodAffinityPlugin(h, args as { hardPodAffinityWeight?: number })],
  [DEFAULT_PREEMPTION, (args, h) => defaultPreemptionPlugin(h, args as PreemptionArgs)],
  [BALANCED_ALLOCATION, (args) => balancedAllocationPlugin(args as { resources?: { name: string; weight: number }[] })],
  [DEFAULT_BINDER, (_args, h) => defaultBinderPlugin(h)],
]);

export interface PluginRef { name: string; weight?: number }

/** getDefaultPlugins() multiPoint, in Kubernetes' order. */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: SCHEDULING_GATES },
  { name: PRIORITY_SORT },
  { name: NODE_UNSCHEDULABLE },
  { name: NODE_NAME },
  { name: TAINT_TOLERATION, weight: 3 },
  { name: NODE_AFFINITY, weight: 2 },
  { name: NODE_PORTS },
  { name: NODE_RESOURCES_FIT, weight: 1 },
  { name: POD_TOPOLOGY_SPREAD, weight: 2 },
  { name: INTER_POD_AFFINITY, weight: 2 },
  { name: DEFAULT_PREEMPTION },
  { name: BALANCED_ALLOCATION, weight: 1 },
  { name: DEFAULT_BINDER },
];
