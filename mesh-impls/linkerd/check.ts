// Reads `linkerd check -o json` (and `linkerd viz check -o json`): {success, categories[{categoryName, checks[
// {description, hint?, error?, result: success|warning|error}]}]} as printed by pkg/healthcheck/healthcheck_output.go.
export interface LinkerdCheckResult {
  ok: boolean;
  checks: number;
  warnings: string[];
  errors: string[];
}

interface CheckJson {
  success: boolean;
  categories: { categoryName: string; checks: { description: string; hint?: string; error?: string; result: string }[] }[] | null;
}

export function parseLinkerdCheck(stdout: string): LinkerdCheckResult {
  let data: CheckJson;
  try {
    data = JSON.parse(stdout) as CheckJson;
  } catch {
    throw new Error(`linkerd check did not print JSON (was -o json given?): ${stdout.slice(0, 200)}`);
  }
  if (typeof data?.success !== 'boolean') throw new Error('linkerd check JSON has no "success" field');
  const warnings: string[] = [];
  const errors: string[] = [];
  let checks = 0;
  for (const cat of data.categories ?? []) {
    for (const c of cat.checks) {
      checks++;
      const line = `[${cat.categoryName}] ${c.description}${c.error ? `: ${c.error}` : ''}${c.hint ? ` (see ${c.hint})` : ''}`;
      if (c.result === 'error') errors.push(line);
      else if (c.result === 'warning') warnings.push(line);
    }
  }
  return { ok: data.success && errors.length === 0, checks, warnings, errors };
}

/** The judge for a check step: ok with a one-line summary, or the failed checks. */
export function judgeLinkerdCheck(stdout: string): { ok: boolean; detail: string } {
  const r = parseLinkerdCheck(stdout);
  if (r.ok) return { ok: true, detail: `${r.checks} checks passed${r.warnings.length ? `, ${r.warnings.length} warning(s): ${r.warnings.join('; ')}` : ''}` };
  return { ok: false, detail: `linkerd check failed:\n  ${r.errors.join('\n  ')}` };
}
