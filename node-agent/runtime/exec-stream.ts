// A streamed exec in a container's context, the process runtime's side of CRI `Exec` with
// streams (what `kubectl exec` reaches through the kubelet): the command runs with the
// container's environment and working directory, in its own process group, with pipes for the
// streams the client asked for and /dev/null for the others. Unlike `runExec` (exec probes),
// nothing is buffered: the caller copies the streams with back-pressure.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { signalGroup } from './state-file.js';
import type { ExecOutcome, ExecSession, ExecStreamOptions } from './types.js';

/** Worded as runc words a failed exec, which kubectl users know. */
function startErrorMessage(file: string, e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return `exec: "${file}": executable file not found in $PATH`;
  if (e.code === 'EACCES') return `exec: "${file}": permission denied`;
  return `exec: "${file}": ${e.message}`;
}

export function startExecSession(command: string[], cwd: string, env: Record<string, string>,
  o: ExecStreamOptions): ExecSession {
  const [file, ...args] = command;
  const child = spawn(file ?? '', args, {
    cwd, env, detached: true,
    stdio: [o.stdin ? 'pipe' : 'ignore', o.stdout ? 'pipe' : 'ignore', o.stderr ? 'pipe' : 'ignore'],
  });
  // A command that exits without reading its stdin makes our writes fail with EPIPE: not an error of ours.
  child.stdin?.on('error', () => undefined);
  const done = new Promise<ExecOutcome>((resolve) => {
    child.once('error', (e) => resolve({ startError: startErrorMessage(file ?? '', e as NodeJS.ErrnoException) }));
    child.once('close', (code, signal) => {
      // A command killed by a signal reports 128 + its number, as a shell (and kubectl) shows it.
      resolve({ exitCode: code ?? 128 + (signal === null ? 9 : os.constants.signals[signal] ?? 9) });
    });
  });
  let finished = false;
  void done.then(() => (finished = true));
  return {
    stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, done,
    kill: () => {
      if (!finished && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    },
  };
}
