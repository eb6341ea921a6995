/**
 * Progress reporting. Stages receive a `Reporter` and never touch the terminal themselves; the
 * CLI hands them one that draws bars on stderr (only on a TTY and without --quiet) and the tests
 * hand them `silentReporter`.
 */
import cliProgress from 'cli-progress';

export interface ProgressBar {
  /** Advance by `n` (default 1). */
  tick(n?: number): void;
  /** Set the absolute value. */
  update(value: number): void;
  stop(): void;
}

export interface Reporter {
  /** A bar for `total` units of work labelled `label` (rate and ETA shown). */
  bar(label: string, total: number, unit?: string): ProgressBar;
  /** An informational line (stderr); suppressed with --quiet. */
  info(message: string): void;
  /** A warning line (stderr); shown even with --quiet. */
  warn(message: string): void;
}

const noBar: ProgressBar = { tick() {}, update() {}, stop() {} };

export const silentReporter: Reporter = {
  bar: () => noBar,
  info() {},
  warn() {},
};

/** A reporter that collects messages (for tests that check what a stage says). */
export function collectingReporter(): Reporter & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    bar: () => noBar,
    info: (m) => void messages.push(m),
    warn: (m) => void messages.push(`warning: ${m}`),
  };
}

export interface TerminalReporterOptions {
  quiet: boolean;
  stream?: NodeJS.WriteStream;
}

export function terminalReporter({ quiet, stream = process.stderr }: TerminalReporterOptions): Reporter {
  const bars = !quiet && Boolean(stream.isTTY);
  return {
    bar(label, total, unit = 'items') {
      if (!bars || total <= 0) return noBar;
      const b = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
          etaBuffer: 50,
          fps: 5,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      const started = Date.now();
      let value = 0;
      b.start(total, 0, { rate: '0' });
      const rate = () => {
        const s = (Date.now() - started) / 1000;
        return s > 0 ? (value / s).toFixed(value / s >= 100 ? 0 : 1) : '0';
      };
      return {
        tick(n = 1) {
          value += n;
          b.update(value, { rate: rate() });
        },
        update(v) {
          value = v;
          b.update(value, { rate: rate() });
        },
        stop() {
          b.stop();
        },
      };
    },
    info(message) {
      if (!quiet) stream.write(message + '\n');
    },
    warn(message) {
      stream.write(`warning: ${message}\n`);
    },
  };
}
