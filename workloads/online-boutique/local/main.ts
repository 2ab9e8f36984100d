// One entry for every Online Boutique service: `main.ts <service>` loads only that service's module, so each pod's
// process stays small and starts fast (tsx compiles each file once and caches it).
const SERVICES = ['frontend', 'checkout', 'cart', 'productcatalog', 'currency', 'payment', 'shipping', 'email', 'recommendation', 'ad', 'loadgenerator'] as const;

const name = process.argv[2] ?? '';
if (!(SERVICES as readonly string[]).includes(name)) {
  console.error(`usage: main.ts <service>; "${name}" is not one of: ${SERVICES.join(', ')}`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { start(): Promise<void> };
try {
  await mod.start();
} catch (err) {
  console.error(`${name}: ${(err as Error).message}`);
  process.exit(1);
}
