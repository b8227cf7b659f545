// DefaultBinder: binds through the injected Binder (the caller POSTs pods/binding).
import { Status, type AnyPlugin, type FrameworkHandle } from '../framework.js';

export const DEFAULT_BINDER = 'DefaultBinder';

export function defaultBinderPlugin(handle: FrameworkHandle): AnyPlugin {
  return {
    name: DEFAULT_BINDER,
    async bind(_state, pod, nodeName) {
      try {
        await handle.bind(pod.pod, nodeName);
        return Status.SUCCESS;
      } catch (e) {
        return Status.error(e instanceof Error ? e.message : String(e), DEFAULT_BINDER);
      }
    },
  };
}
