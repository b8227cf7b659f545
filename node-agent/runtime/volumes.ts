// Volumes without a mount namespace. Each volume is a directory <podDir>/volumes/<name>:
// emptyDir starts empty, configMap/secret volumes get the files the kubelet passes (already
// projected through `items`). A container cannot see them at their mountPath, because the
// runtime never writes to real absolute paths on the host; instead each container gets a
// directory <podDir>/containers/<container>/root that stands for its "/": its working
// directory is under it, every mountPath is a symlink in it (so `cat etc/config/app.yaml`
// works from the container's working directory when workingDir is unset) and the volume's
// directory is exported as FLOTILLA_MOUNT_<VOLUME_NAME> (upper case, other characters → _).
import fs from 'node:fs';
import path from 'node:path';
import type { VolumeMount } from '../../control-plane/api/index.js';
import { InvalidSpecError, LimitError } from './errors.js';
import { VOLUME_FILE_MAX_BYTES, VOLUME_FILES_MAX } from './limits.js';
import type { SandboxVolume } from './types.js';

/** A path inside a pod directory: relative, no `..`, no empty name (what Kubernetes validation also requires). */
export function safeRelative(p: string, what: string): string {
  const trimmed = p.replace(/^\/+/, '');
  const parts = trimmed.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..') || parts.length === 0 && trimmed !== '') {
    throw new InvalidSpecError(`${what} "${p}" must not contain ".."; use a path inside the volume or container`);
  }
  return parts.join('/');
}

export function volumeDir(podDir: string, name: string): string {
  return path.join(podDir, 'volumes', safeRelative(name, 'volume name'));
}

export function mountEnvName(volumeName: string): string {
  return `FLOTILLA_MOUNT_${volumeName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Makes <podDir>/volumes/<name> for each volume and writes the configMap/secret files. */
export function makeVolumes(podDir: string, volumes: readonly SandboxVolume[]): void {
  for (const v of volumes) {
    const dir = volumeDir(podDir, v.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
    const files = Object.entries(v.files ?? {});
    if (files.length > VOLUME_FILES_MAX) {
      throw new LimitError(`volume ${v.name} has ${files.length} files, more than ${VOLUME_FILES_MAX}; split it`);
    }
    for (const [rel, { data, mode }] of files) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (bytes.length > VOLUME_FILE_MAX_BYTES) {
        throw new LimitError(`volume ${v.name} file ${rel} is ${bytes.length} bytes, more than ${VOLUME_FILE_MAX_BYTES}`);
      }
      const file = path.join(dir, safeRelative(rel, `volume ${v.name} file`));
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
      fs.writeFileSync(file, bytes, { mode: mode ?? 0o644 });
    }
  }
}

export interface ContainerFs {
  /** The directory standing for the container's "/". */
  root: string;
  /** Where the process starts: root + workingDir. */
  cwd: string;
  /** FLOTILLA_MOUNT_<NAME> → volume directory. */
  env: Record<string, string>;
}

/** Lays out one container's root: mountPath symlinks to the volumes, the working directory. */
export function makeContainerFs(podDir: string, containerName: string, volumeNames: readonly string[],
  mounts: readonly VolumeMount[], workingDir: string | undefined): ContainerFs {
  const root = path.join(podDir, 'containers', safeRelative(containerName, 'container name'), 'root');
  fs.mkdirSync(root, { recursive: true, mode: 0o750 });
  const env: Record<string, string> = {};
  for (const m of mounts) {
    if (!volumeNames.includes(m.name)) {
      throw new InvalidSpecError(`volumeMount ${m.name} of container ${containerName} names no volume of the pod; ` +
        'add the volume to the pod sandbox');
    }
    const vdir = volumeDir(podDir, m.name);
    const sub = m.subPath !== undefined && m.subPath !== '' ? safeRelative(m.subPath, 'subPath') : '';
    const target = sub === '' ? vdir : path.join(vdir, sub);
    if (!fs.existsSync(target)) fs.mkdirSync(target, { recursive: true, mode: 0o750 });
    const rel = safeRelative(m.mountPath, 'mountPath');
    if (rel === '') throw new InvalidSpecError(`mountPath "${m.mountPath}" of container ${containerName} cannot be "/"`);
    const link = path.join(root, rel);
    fs.mkdirSync(path.dirname(link), { recursive: true, mode: 0o750 });
    const existing = fs.lstatSync(link, { throwIfNoEntry: false });
    if (existing?.isSymbolicLink() === true) fs.unlinkSync(link);
    else if (existing !== undefined) {
      throw new InvalidSpecError(`mountPath "${m.mountPath}" of container ${containerName} overlaps another mount`);
    }
    fs.symlinkSync(target, link);
    env[mountEnvName(m.name)] = vdir;
  }
  const cwd = workingDir !== undefined && workingDir !== '' ? path.join(root, safeRelative(workingDir, 'workingDir')) : root;
  fs.mkdirSync(cwd, { recursive: true, mode: 0o750 });
  return { root, cwd, env };
}
