// `flotilla apiserver`: the Kubernetes API on the store (see control-plane/apiserver/README.md).
// Flag names are kube-apiserver's where one exists.
import type { Command } from 'commander';
import {
  APISERVER_FLAG_DEFAULTS as D, ApiServerConfigError, type ApiServerFlags, resolveApiServerOptions,
} from '../control-plane/apiserver/options.js';
import { runApiServer } from '../control-plane/apiserver/process.js';

export function registerApiServer(program: Command): void {
  program
    .command('apiserver')
    .description('the Kubernetes API (core/v1, apps/v1, coordination, rbac) on the store; run several behind `flotilla lb`')
    .requiredOption('--etcd-servers <urls>', 'comma-separated store (or etcd) client URLs, e.g. http://127.0.0.1:2379')
    .option('--etcd-prefix <prefix>', 'the key prefix of every object in the store', D.etcdPrefix)
    .option('--bind-address <ip>', 'address to serve on', D.bindAddress)
    .option('--secure-port <port>', 'HTTPS port (0: any free port)', D.securePort)
    .option('--advertise-address <ip>', 'address clients are told to use (default: --bind-address)')
    .option('--tls-cert-file <file>', 'serving certificate (PEM); without it one is made in --cert-dir')
    .option('--tls-private-key-file <file>', 'key of --tls-cert-file (PEM)')
    .option('--cert-dir <dir>', 'where the self-signed CA and serving certificate are kept', D.certDir)
    .option('--client-ca-file <file>', 'CA that signs client certificates (CN = user, O = groups)')
    .option('--token-auth-file <file>', 'bearer tokens: CSV lines token,user,uid,"group1,group2"')
    .option('--anonymous-auth <bool>', 'serve unauthenticated requests as system:anonymous', D.anonymousAuth)
    .option('--authorization-mode <mode>', 'RBAC or AlwaysAllow', D.authorizationMode)
    .option('--service-cluster-ip-range <cidr>', 'cluster IPs of Services (loopback, so kube-proxy can serve them)',
      D.serviceClusterIpRange)
    .option('--service-node-port-range <range>', 'node ports of NodePort Services', D.serviceNodePortRange)
    .option('--shutdown-delay-duration <duration>', 'on SIGTERM, how long /readyz fails before the listener closes',
      D.shutdownDelayDuration)
    .option('--default-watch-cache-size <n>', 'events each resource\'s watch cache keeps for watches from an older resourceVersion',
      D.defaultWatchCacheSize)
    .option('--insecure-serve-http', 'serve plain HTTP instead of HTTPS (debugging only)')
    .action(async function (this: Command, flags: ApiServerFlags) {
      try {
        await runApiServer(resolveApiServerOptions(flags));
      } catch (e) {
        if (e instanceof ApiServerConfigError) this.error(`error: ${e.message}`, { code: e.code, exitCode: 2 });
        throw e;
      }
    });
}
