// The local image catalogue. There is no registry: an image name resolves to a command line
// on this host. Built-ins: `flotilla/hello` (a Node HTTP server, images/hello-server.ts) and
// `busybox` / `flotilla/busybox` (no entrypoint, cmd ["sh"], like the real busybox image, so
// `sh -c ...`, `sleep 3600`, `echo` run as host commands). Users add images with a catalogue
// file. An unknown image fails with ImagePullError; the kubelet reports ErrImagePull and then
// ImagePullBackOff (nextPullStep / onPullFailure below), as for a pull that failed.
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { Container } from '../../control-plane/api/index.js';
import { ImageCatalogueError, ImagePullError, InvalidSpecError } from './errors.js';
import { IMAGE_CATALOGUE_MAX_BYTES } from './limits.js';
import {
  DEFAULT_BACKOFF, formatDurationSeconds, inBackoffSince, nextBackoff, type BackoffConfig, type BackoffEntry,
} from './backoff.js';

export { backoffSeconds, nextBackoff, inBackoffSince, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffConfig, BackoffEntry } from './backoff.js';

/** An image's ENTRYPOINT and CMD, as in an OCI image config. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
}

/** The compiled hello server, found next to this module so it works from any outDir. */
export const HELLO_SERVER_PATH = fileURLToPath(new URL('./images/hello-server.js', import.meta.url));

function builtins(): Map<string, ImageConfig> {
  const hello: ImageConfig = { entrypoint: [process.execPath, HELLO_SERVER_PATH], cmd: [] };
  const busybox: ImageConfig = { entrypoint: [], cmd: ['sh'] };
  return new Map([['flotilla/hello', hello], ['busybox', busybox], ['flotilla/busybox', busybox]]);
}

/**
 * The repository part of an image reference, as the catalogue keys it: no tag, no digest,
 * and Docker Hub's implicit `docker.io/` and `library/` dropped ("docker.io/library/busybox:1.36"
 * → "busybox"). Tags are ignored: every tag of a catalogue image is the same local program.
 */
export function normalizeImageName(ref: string): string {
  let name = ref.trim();
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  for (const prefix of ['docker.io/', 'index.docker.io/']) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  if (name.startsWith('library/')) name = name.slice('library/'.length);
  return name;
}

export class ImageCatalogue {
  readonly #images = builtins();

  /** Adds or replaces an image. */
  register(name: string, config: { entrypoint: string[]; cmd?: string[] }): void {
    this.#images.set(normalizeImageName(name), { entrypoint: [...config.entrypoint], cmd: [...(config.cmd ?? [])] });
  }

  names(): string[] {
    return [...this.#images.keys()].sort();
  }

  /** The image's config, or ImagePullError (an empty image is refused as Kubernetes validation does). */
  resolve(image: string | undefined): ImageConfig {
    const config = image === undefined ? undefined : this.#images.get(normalizeImageName(image));
    if (config === undefined) throw new ImagePullError(image ?? '', this.names());
    return config;
  }

  /**
   * Adds the images of a JSON or YAML file: `{ "<image>": { "entrypoint": [...], "cmd": [...] } }`,
   * optionally under a top-level `images:` key.
   */
  async loadFile(file: string): Promise<void> {
    const stat = await fs.stat(file).catch((e: Error) => {
      throw new ImageCatalogueError(file, `cannot read it (${e.message})`);
    });
    if (stat.size > IMAGE_CATALOGUE_MAX_BYTES) {
      throw new ImageCatalogueError(file, `is ${stat.size} bytes, more than ${IMAGE_CATALOGUE_MAX_BYTES}`);
    }
    let doc: unknown;
    try {
      doc = YAML.parse(await fs.readFile(file, 'utf8'));
    } catch (e) {
      throw new ImageCatalogueError(file, `is not JSON or YAML: ${(e as Error).message}`);
    }
    for (const [name, config] of Object.entries(catalogueEntries(file, doc))) this.register(name, config);
  }
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function catalogueEntries(file: string, doc: unknown): Record<string, { entrypoint: string[]; cmd?: string[] }> {
  const top = doc !== null && typeof doc === 'object' && 'images' in doc ? (doc as { images: unknown }).images : doc;
  if (top === null || typeof top !== 'object' || Array.isArray(top)) {
    throw new ImageCatalogueError(file, 'must map image names to { entrypoint: [...], cmd: [...] }');
  }
  const out: Record<string, { entrypoint: string[]; cmd?: string[] }> = {};
  for (const [name, v] of Object.entries(top as Record<string, unknown>)) {
    const entry = v as { entrypoint?: unknown; cmd?: unknown } | null;
    if (entry === null || typeof entry !== 'object' || !isStringArray(entry.entrypoint) ||
      (entry.cmd !== undefined && !isStringArray(entry.cmd))) {
      throw new ImageCatalogueError(file, `image "${name}": entrypoint must be a list of strings, cmd one if given`);
    }
    out[name] = entry.cmd === undefined ? { entrypoint: entry.entrypoint }
      : { entrypoint: entry.entrypoint, cmd: entry.cmd };
  }
  return out;
}

/**
 * The command line of a container, as Kubernetes combines the spec with the image
 * ("Define a Command and Arguments for a Container"): `command` replaces the ENTRYPOINT and,
 * when given, drops the image's CMD; `args` replaces the CMD.
 */
export function resolveArgv(image: ImageConfig, container: Pick<Container, 'command' | 'args' | 'name'>): string[] {
  const hasCommand = container.command !== undefined && container.command.length > 0;
  const entry = hasCommand ? container.command ?? [] : image.entrypoint;
  const rest = container.args !== undefined && container.args.length > 0 ? container.args : hasCommand ? [] : image.cmd;
  const argv = [...entry, ...rest];
  if (argv.length === 0) {
    throw new InvalidSpecError(`container ${container.name} has no command: the image has neither entrypoint nor cmd; ` +
      'set command in the container spec');
  }
  return argv;
}

export interface WaitingReason {
  reason: 'ErrImagePull' | 'ImagePullBackOff';
  message: string;
}

export type PullStep = { action: 'pull' } | { action: 'wait'; retryAtMs: number; waiting: WaitingReason };

/** Before a pull: try now, or is the image still in backoff (the kubelet's image manager)? */
export function nextPullStep(image: string, entry: BackoffEntry | undefined, nowMs: number,
  config: BackoffConfig = DEFAULT_BACKOFF): PullStep {
  if (entry === undefined || !inBackoffSince(entry, entry.lastUpdateMs, nowMs, config)) return { action: 'pull' };
  return {
    action: 'wait',
    retryAtMs: entry.lastUpdateMs + entry.delaySeconds * 1000,
    waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` },
  };
}

/** After a failed pull: the stepped backoff and the ErrImagePull reason to report until the next try. */
export function onPullFailure(entry: BackoffEntry | undefined, nowMs: number, error: Error,
  config: BackoffConfig = DEFAULT_BACKOFF): { entry: BackoffEntry; waiting: WaitingReason; retryAfter: string } {
  const next = nextBackoff(entry, nowMs, config);
  return { entry: next, waiting: { reason: 'ErrImagePull', message: error.message },
    retryAfter: formatDurationSeconds(next.delaySeconds) };
}
