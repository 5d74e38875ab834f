/**
 * Progress bars for long work: cli-progress on stderr when it is a TTY and --json is off; otherwise a
 * reporter that does nothing (machine output must stay clean).
 */
import cliProgress from 'cli-progress';
import type { ProgressReporter } from './types';

const SILENT: ProgressReporter = { tick() {}, setTotal() {}, done() {} };

export function createProgressFactory(opts: { enabled: boolean; stream?: NodeJS.WriteStream }) {
  const stream = opts.stream ?? process.stderr;
  return (label: string, total?: number): ProgressReporter => {
    if (!opts.enabled || !stream.isTTY) return SILENT;
    const bar = new cliProgress.SingleBar(
      { format: `${label.padEnd(14)} [{bar}] {value}/{total} {percentage}% | {duration_formatted}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic
    );
    let value = 0;
    let started = false;
    const ensure = () => {
      if (!started) {
        bar.start(total ?? 0, 0);
        started = true;
      }
    };
    return {
      tick(n = 1) {
        ensure();
        value += n;
        bar.update(value);
      },
      setTotal(t) {
        ensure();
        bar.setTotal(t);
      },
      done() {
        if (started) bar.stop();
      }
    };
  };
}
