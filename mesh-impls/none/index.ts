// The baseline: no mesh at all. Pods talk in plaintext, nothing is intercepted, no policy exists to apply.
// Every overhead figure in the report is measured against this, in the same run.
import type { Mesh } from '../types.ts';

const none: Mesh = {
  name: 'none',
  description: 'Baseline: no service mesh',
  meshesPods: false,
  supports: () => true,
  versions: async () => ({ none: 'baseline' }),
  local: {
    install: async () => ({ steps: 0, objects: 0 }),
    inject: async () => {},
    verify: async (stack) => ({
      ok: true,
      pods: [...stack.pods.values()].map((p) => ({ pod: p.name, meshed: false, detail: 'baseline: no proxy' })),
    }),
    // No data plane exists to enforce anything: a policy is accepted and has no effect, which the probes then show.
    applyPolicy: async () => {},
  },
};

export default none;
