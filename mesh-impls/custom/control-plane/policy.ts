// Checks a MeshPolicy from the operator API: a bad policy is refused with the reason, never half-applied.
import type { AllowRule, MeshPolicy } from '../../types.ts';

const DEFAULTS = ['all-unauthenticated', 'all-authenticated', 'deny'];

export function validatePolicy(input: unknown): MeshPolicy {
  const p = input as MeshPolicy;
  if (!p || typeof p !== 'object') throw new Error('policy must be an object {default, allow}');
  if (!DEFAULTS.includes(p.default)) throw new Error(`policy.default must be one of ${DEFAULTS.join(', ')}; got ${JSON.stringify(p.default)}`);
  if (!Array.isArray(p.allow)) throw new Error('policy.allow must be an array of {to, port, from[], methods?}');
  const allow: AllowRule[] = p.allow.map((r, i) => {
    if (typeof r?.to !== 'string' || !r.to) throw new Error(`policy.allow[${i}].to must be a service name`);
    if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) throw new Error(`policy.allow[${i}].port must be a TCP port`);
    if (!Array.isArray(r.from) || r.from.some((f: unknown) => typeof f !== 'string')) throw new Error(`policy.allow[${i}].from must be a list of service accounts`);
    if (r.methods !== undefined && (!Array.isArray(r.methods) || r.methods.some((m: unknown) => typeof m !== 'string' || !m.startsWith('/')))) {
      throw new Error(`policy.allow[${i}].methods must be paths starting with "/"`);
    }
    return { to: r.to, port: r.port, from: [...r.from], ...(r.methods?.length ? { methods: [...r.methods] } : {}) };
  });
  return { default: p.default, allow };
}
