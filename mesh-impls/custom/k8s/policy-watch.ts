// Policy on Kubernetes: watches every MeshPolicy object (mesh.meshbench.io/v1alpha1) and reports the merged policy
// on each change. The API server has already checked each object against the CRD schema; the control plane's own
// validatePolicy() still runs on the merged result where it is applied.
import type { AllowRule, DefaultPolicy, MeshPolicy } from '../../types.ts';
import type { ApiClient, KubeItem } from './apiclient.ts';
import { mergeMtls, mergePolicies } from './crd.ts';
import { CRD_GROUP, CRD_VERSION, POLICY_PLURAL } from './constants.ts';

interface PolicyObject extends KubeItem {
  spec?: { default?: DefaultPolicy; allow?: AllowRule[]; mtls?: boolean };
}

export class KubePolicyWatch {
  private timer?: NodeJS.Timeout;
  private items: PolicyObject[] = [];
  private watch?: { ready: Promise<void>; stop: () => void };

  constructor(
    private api: ApiClient,
    private opts: { onChange: (policy: MeshPolicy, mtls: boolean) => void; onError?: (err: unknown) => void; debounceMs?: number },
  ) {}

  policy(): MeshPolicy {
    return mergePolicies(this.items);
  }

  mtls(): boolean {
    return mergeMtls(this.items);
  }

  /** Resolves once the objects have been listed. */
  async start(): Promise<void> {
    this.watch = this.api.listWatch<PolicyObject>(
      `/apis/${CRD_GROUP}/${CRD_VERSION}/${POLICY_PLURAL}`,
      (items) => {
        this.items = items;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.opts.onChange(this.policy(), this.mtls()), this.opts.debounceMs ?? 100);
      },
      (err) => this.opts.onError?.(err),
    );
    await this.watch.ready;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watch?.stop();
  }
}
