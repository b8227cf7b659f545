// The `flotilla/hello` image: a plain Node script (no imports outside node:) the process
// runtime starts as a container, like the hello-world images of Kubernetes tutorials. It
// listens on the pod IP at each containerPort (FLOTILLA_CONTAINER_PORTS, set by the runtime),
// else at $PORT, else 8080, and answers GET / with the pod's name and IP, /healthz with 200.
import http from 'node:http';

const host = process.env['POD_IP'] ?? '127.0.0.1';
const podName = process.env['POD_NAME'] ?? process.env['HOSTNAME'] ?? 'unknown';
const portList = process.env['FLOTILLA_CONTAINER_PORTS'] ?? process.env['PORT'] ?? '8080';
const ports = portList.split(',').map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
const startedAt = new Date().toISOString();

function handle(req: http.IncomingMessage, res: http.ServerResponse, port: number): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz' || path === '/readyz' || path === '/livez') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' })
      .end(`Hello from ${podName} at ${host}:${port} (started ${startedAt})\n`);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

const servers = ports.map((port) => {
  const server = http.createServer((req, res) => handle(req, res, port));
  server.on('error', (e) => {
    // A port already taken is fatal, as for a real container: the kubelet will restart us.
    process.stderr.write(`hello: cannot listen on ${host}:${port}: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(port, host, () => process.stdout.write(`hello: ${podName} listening on ${host}:${port}\n`));
  return server;
});

// A graceful stop, so `kubectl delete pod` ends with exit code 0 as nginx-like images do.
process.on('SIGTERM', () => {
  process.stdout.write('hello: SIGTERM, shutting down\n');
  for (const s of servers) s.close();
  servers.forEach((s) => s.closeAllConnections());
  setTimeout(() => process.exit(0), 50).unref();
});
