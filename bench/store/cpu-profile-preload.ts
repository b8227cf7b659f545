// Preloaded into Flotilla members by `flotilla bench store --profile-dir DIR` (through
// NODE_OPTIONS=--import, since Node refuses --cpu-prof there): samples the main thread with
// the V8 profiler from start-up and writes DIR/CPU.<pid>.cpuprofile when the process exits
// normally (SIGTERM → graceful stop → exit). A kill -9 writes nothing.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.FLOTILLA_BENCH_PROFILE_DIR;
const SAMPLING_INTERVAL_US = 1000;

if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  session.post('Profiler.start');
  process.once('exit', () => {
    // A same-thread inspector session answers synchronously, so this works in an exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (err === null) writeFileSync(join(dir, `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
