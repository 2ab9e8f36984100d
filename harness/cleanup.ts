// Cleanup that runs however the process ends: normally, on an error, or on SIGINT/SIGTERM. Tasks run newest first
// (a stack is torn down before the store that records it is closed). A second Ctrl-C exits at once; whatever it
// leaves is removed by the next run's sweep, from the state kept on disk.
type Task = { name: string; run: () => Promise<void> | void };

const tasks: Task[] = [];
let installed = false;
let running: Promise<void> | null = null;

export function onCleanup(name: string, run: Task['run']): () => void {
  installSignalHandlers();
  const task = { name, run };
  tasks.push(task);
  return () => {
    const i = tasks.indexOf(task);
    if (i >= 0) tasks.splice(i, 1);
  };
}

export function runCleanup(): Promise<void> {
  running ??= (async () => {
    while (tasks.length) {
      const task = tasks.pop()!;
      try {
        await task.run();
      } catch (err) {
        console.error(`cleanup "${task.name}" failed: ${(err as Error).message}`);
      }
    }
    running = null;
  })();
  return running;
}

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (running) {
        console.error(`\n${signal} again: exiting now; the next run removes what is left.`);
        process.exit(code);
      }
      console.error(`\n${signal}: cleaning up (namespaces, processes, temp files)…`);
      void runCleanup().finally(() => process.exit(code));
    });
  }
}
