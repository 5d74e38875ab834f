/**
 * Continuous delivery of webhook submissions (`serve.continuousDelivery`, docs/ingest.md "Continuous delivery").
 *
 * Every accepted submission (202) wakes a drainer for its source. The drainer waits a short window
 * (`windowMs`) so submissions arriving together go out as one micro-batch, or starts at once when
 * `batchSize` submissions are waiting, whichever comes first. A drain is an ordinary ingest run of the
 * webhook source (the same validation, dedupe, routing, ledger and runs row as `leadflow ingest --source`),
 * taken under the same job lock `ingest:<source>`:
 * - one drain per source at a time in this process; submissions accepted meanwhile start another drain
 *   right after it (the running one may already have picked them up: the ingest run reads until the inbox is empty);
 * - another holder of the lock (a CLI ingest, a scheduled tick, another serve instance on PostgreSQL) makes
 *   this drain skip; it retries after `retryMs` while the source still has pending submissions, so a
 *   submission accepted here just as the other holder finished is not left waiting for the next wake-up.
 */
import type { Logger } from 'pino';
import { JobLockedError, withJobLock } from '../store/locks';
import type { Store } from '../store/types';

export interface DeliveryOptions {
  store: Store;
  logger: Logger;
  /** Webhook source names this server accepts. */
  sources: string[];
  windowMs: number;
  batchSize: number;
  retryMs: number;
  /** Runs the ingest of one webhook source (the caller records it as a run); called under the source's job lock. */
  ingest: (source: string) => Promise<void>;
}

export interface Delivery {
  /** A submission for `source` was accepted (202). */
  accepted(source: string): void;
  /** Drain every source once (submissions left from before a restart). */
  drainAll(): void;
  /** Stops waking drainers and waits for the running drains. */
  stop(): Promise<void>;
}

interface SourceState {
  /** Submissions accepted since the last drain started. */
  waiting: number;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  /** Submissions arrived while a drain ran: drain again when it ends. */
  again: boolean;
}

export function createDelivery(opts: DeliveryOptions): Delivery {
  const states = new Map<string, SourceState>(
    opts.sources.map((s) => [s, { waiting: 0, timer: null, running: null, again: false }])
  );
  let stopped = false;

  const schedule = (source: string, state: SourceState, delayMs: number) => {
    if (stopped || state.timer) return;
    state.timer = setTimeout(() => {
      state.timer = null;
      start(source, state);
    }, delayMs);
    // A pending wake-up must not keep a stopping process alive.
    state.timer.unref();
  };

  const start = (source: string, state: SourceState) => {
    if (stopped) return;
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
    if (state.running) {
      state.again = true;
      return;
    }
    const count = state.waiting;
    state.waiting = 0;
    state.running = drain(source, count).finally(() => {
      state.running = null;
      if (state.again && !stopped) {
        state.again = false;
        start(source, state);
      }
    });
  };

  const drain = async (source: string, accepted: number): Promise<void> => {
    const started = Date.now();
    try {
      await withJobLock(opts.store, [`ingest:${source}`], () => opts.ingest(source), {
        command: `leadflow serve (continuous delivery of ${source})`
      });
      opts.logger.info({ source, accepted, ms: Date.now() - started }, 'continuous delivery: inbox drained');
    } catch (err) {
      if (err instanceof JobLockedError) {
        // The holder drains what it finds; re-check later in case it finished before seeing ours.
        opts.logger.debug(
          { source, holder: err.holder },
          'continuous delivery: ingest already running, retrying later'
        );
        if (await hasPending(opts.store, source)) schedule(source, states.get(source)!, opts.retryMs);
        return;
      }
      // Not retried in a loop: the submissions stay pending for the next accepted one, tick or manual run.
      opts.logger.error({ err, source }, 'continuous delivery: ingest run failed; submissions stay queued');
    }
  };

  return {
    accepted(source) {
      const state = states.get(source);
      if (!state || stopped) return;
      state.waiting++;
      if (state.waiting >= opts.batchSize) start(source, state);
      else schedule(source, state, opts.windowMs);
    },
    drainAll() {
      for (const [source, state] of states) start(source, state);
    },
    async stop() {
      stopped = true;
      for (const state of states.values()) if (state.timer) clearTimeout(state.timer);
      await Promise.allSettled([...states.values()].map((s) => s.running).filter(Boolean));
    }
  };
}

async function hasPending(store: Store, source: string): Promise<boolean> {
  const rows = await store.query(
    "select 1 from ingest_inbox where source = $1 and status = 'pending' limit 1",
    [source]
  );
  return rows.length > 0;
}
