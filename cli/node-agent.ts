// `flotilla node-agent`: a node of the cluster — the kubelet on the process runtime (pods as local
// processes on 127.x.y.z pod IPs), optionally kube-proxy — or a fleet of simulated nodes
// (kwok-style) for scale tests. See node-agent/README.md. Flag names are the kubelet's where one exists.
import type { Command } from 'commander';
import {
  AgentConfigError, NODE_AGENT_FLAG_DEFAULTS as D, type NodeAgentFlags, resolveNodeAgentOptions, runNodeAgent,
} from '../node-agent/agent/index.js';

export function registerNodeAgent(program: Command): void {
  program
    .command('node-agent')
    .description('a node: the kubelet (process or simulated runtime) and optionally kube-proxy')
    .option('--kubeconfig <file>', 'kubeconfig of the apiserver (default: $KUBECONFIG or ~/.kube/config)')
    .requiredOption('--node-name <name>', 'the Node\'s name (simulated: the prefix of NAME-0 … NAME-(N-1))')
    .requiredOption('--node-index <k>', 'the node\'s number: its pod range is 127.(10+k/256).(k%256).0/24 ' +
      '(simulated node i gets k+i)')
    .option('--runtime <kind>', 'process (pods are local processes) or simulated (pods only look Running)', D.runtime)
    .option('--root-dir <dir>', 'process runtime state, pod directories and logs (default: $TMPDIR/flotilla/nodes/NAME)')
    .option('--simulated-nodes <n>', 'with --runtime simulated: how many nodes this process simulates (default 1)')
    .option('--simulated-heartbeat-qps <n>', 'simulated: lease renewals per second at most, over all nodes',
      D.simulatedHeartbeatQps)
    .option('--kube-proxy', 'also run kube-proxy (one per machine owns the cluster IPs; see README)')
    .option('--fast-heartbeat', 'chaos experiments: 4 s lease renewed every second, node status every 2 s')
    .option('--kubelet-port <port>', 'the kubelet\'s HTTP port (container logs) on the node address', D.kubeletPort)
    .option('--metrics-port <port>', '/metrics, /livez, /readyz on 127.0.0.1 (0: any free port)', D.metricsPort)
    .option('--node-labels <k=v,...>', 'labels to add to the Node')
    .option('--node-role <role>', 'sets the label node-role.kubernetes.io/<role>')
    .option('--register-with-taints <taints>', 'taints to register with: key[=value]:Effect,...')
    .option('--cpu <quantity>', 'capacity cpu (default: the host\'s CPUs)')
    .option('--memory <quantity>', 'capacity memory (default: the host\'s memory)')
    .option('--max-pods <n>', 'capacity pods', D.maxPods)
    .option('--node-lease-duration-seconds <s>', 'the node Lease\'s duration, renewed every quarter of it (default 40)')
    .option('--node-status-update-frequency <d>', 'how often the node status is computed (default 10s)')
    .option('--node-status-report-frequency <d>', 'an unchanged node status is written this often (default 5m)')
    .option('--image-catalogue <file>', 'extra images: JSON/YAML { image: { entrypoint: [...], cmd: [...] } }')
    .option('--cleanup-on-exit', 'on SIGTERM stop every pod (default: leave them running for the next agent)')
    .option('--kube-api-qps <n>', 'client rate limit (default 50; simulated 2000)')
    .option('--kube-api-burst <n>', 'client burst (default 100; simulated 4000)')
    .action(async function (this: Command, flags: NodeAgentFlags) {
      try {
        await runNodeAgent(resolveNodeAgentOptions(flags));
      } catch (e) {
        if (e instanceof AgentConfigError) this.error(`error: ${e.message}`, { code: e.code, exitCode: 2 });
        throw e;
      }
    });
}
