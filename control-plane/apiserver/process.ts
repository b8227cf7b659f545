// `flotilla apiserver` as a process: options → certificates (a self-signed CA and serving
// certificate in --cert-dir when no --tls-cert-file is given, as kube-apiserver does) →
// token file → serve; SIGTERM/SIGINT stop gracefully (a second signal exits at once).
import { pino } from 'pino';
import { onShutdownSignals } from '../../lib/shutdown.js';
import { ensurePki } from './auth/pki.js';
import { loadTokenFile, type UserInfo } from './auth/index.js';
import { APISERVER_LIMITS } from './limits.js';
import type { ApiServerOptions } from './options.js';
import { ApiServer } from './server.js';

export async function runApiServer(o: ApiServerOptions): Promise<void> {
  const log = pino({ base: { component: 'apiserver', pid: process.pid } });
  let server: ApiServer;
  try {
    if (o.tls && o.tls.certFile === '') {
      const hosts = [...new Set([o.bindAddress, o.advertiseAddress, '127.0.0.1', 'localhost'])].filter((h) => h !== '0.0.0.0');
      const files = await ensurePki(o.certDir, { hosts });
      o.tls = { certFile: files.servingCertFile, keyFile: files.servingKeyFile };
      o.clientCaFile ??= files.caFile;
      log.info({ certDir: o.certDir, ca: files.caFile }, 'serving with a self-signed certificate from --cert-dir');
    }
    const tokens: Map<string, UserInfo> = o.tokenAuthFile ? await loadTokenFile(o.tokenAuthFile) : new Map();
    server = await ApiServer.start(o, log, tokens);
  } catch (e) {
    const err = e as Error & { code?: string };
    log.fatal({ code: err.code, err: err.message }, 'flotilla apiserver failed to start');
    process.exit(1);
  }
  onShutdownSignals(log, o.shutdownDelayMs + APISERVER_LIMITS.shutdownDrainMs + 2_000, () => server.stop());
}
