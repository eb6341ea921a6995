/** A Reporter for benches: prints how long each progress-bar phase (and, optionally, each info step) took. */
import type { Reporter } from '../pipeline/core/progress.ts';

export function phaseReporter({ timeInfo = false }: { timeInfo?: boolean } = {}): Reporter {
  let last = performance.now();
  return {
    info(m) {
      if (!timeInfo) return;
      const now = performance.now();
      console.log(`  ${((now - last) / 1000).toFixed(2)} s  (before: ${m})`);
      last = now;
    },
    warn(m) {
      console.log(`  warning: ${m}`);
    },
    bar(label, total) {
      const start = performance.now();
      console.log(`  ${((start - last) / 1000).toFixed(2)} s  (setup before ${label})`);
      return {
        tick() {},
        update() {},
        stop() {
          last = performance.now();
          console.log(`  ${((last - start) / 1000).toFixed(2)} s  ${label} (${total})`);
        },
      };
    },
  };
}
