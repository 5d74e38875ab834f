/**
 * Serves one PGlite instance to several clients over the PostgreSQL wire protocol (unix socket or loopback
 * TCP), so every leadflow process on the machine shares the one process that opened the data directory.
 *
 * PGlite has a single backend session. @electric-sql/pglite-socket multiplexes it per protocol message and
 * keeps affinity only inside BEGIN blocks, so two clients' extended-protocol sequences (Parse, Bind, Execute,
 * Sync) can interleave and one binds the other's unnamed statement. Here a client owns the session from its
 * first message until PGlite answers ReadyForQuery with status idle ('I'): a whole extended-protocol
 * sequence or a whole transaction runs without another client's messages in between. A client that
 * disconnects while owning the session has its sequence synced and its transaction rolled back.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

export type WireAddress = { path: string } | { host: string; port: number };

export interface WireServer {
  readonly address: WireAddress;
  /** Open client connections. */
  connections(): number;
  /** Stops accepting connections; open ones keep being served. */
  stopAccepting(): Promise<void>;
  /** Closes every connection and the listener. */
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSSENC_REQUEST = 80877104;
const READY_FOR_QUERY = 0x5a; // 'Z'
const TERMINATE = 0x58; // 'X'
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]); // 'S', length 4

/**
 * A client that owns the session (inside a transaction or a statement sequence) and sends nothing for this
 * long while others wait is disconnected and its transaction rolled back, like PostgreSQL's
 * idle_in_transaction_session_timeout: one stuck process must not stop every other one for good.
 */
export const IDLE_OWNER_TIMEOUT_MS = 120_000;

/** FIFO ownership of the single PGlite session. */
class SessionGate {
  private owner: object | null = null;
  private readonly waiting: Array<{ who: object; go: () => void }> = [];
  /** When the owner last had a message executed. */
  lastActivity = Date.now();

  touch(): void {
    this.lastActivity = Date.now();
  }

  /** The owner, when it has been idle past timeoutMs while another client waits. */
  idleOwner(timeoutMs: number): object | null {
    return this.owner && this.waiting.length > 0 && Date.now() - this.lastActivity > timeoutMs ? this.owner : null;
  }

  async acquire(who: object): Promise<void> {
    if (this.owner === who) return;
    if (this.owner === null) {
      this.owner = who;
      this.touch();
      return;
    }
    await new Promise<void>((go) => this.waiting.push({ who, go }));
    this.touch();
  }

  release(who: object): void {
    if (this.owner !== who) return;
    const next = this.waiting.shift();
    this.owner = next ? next.who : null;
    next?.go();
  }

  owns(who: object): boolean {
    return this.owner === who;
  }

  /** A client that leaves while queued must not be handed the session later. */
  forget(who: object): void {
    const i = this.waiting.findIndex((w) => w.who === who);
    if (i < 0) return;
    // Wake it without ownership: it sees that its connection closed and stops.
    this.waiting.splice(i, 1)[0]!.go();
  }
}

/** Status byte of the last ReadyForQuery message in a backend output (one buffer or its chunks), or null when there is none. */
export function lastReadyStatus(output: Buffer | readonly Buffer[]): string | null {
  const chunks = Buffer.isBuffer(output) ? [output] : output;
  const total = chunks.reduce((n, c) => n + c.length, 0);
  // Reads bytes at increasing positions across the chunks without joining them (outputs can be megabytes).
  let index = 0;
  let base = 0;
  const byteAt = (pos: number): number => {
    while (pos >= base + chunks[index]!.length) base += chunks[index++]!.length;
    return chunks[index]![pos - base]!;
  };
  let status: string | null = null;
  let offset = 0;
  while (offset + 5 <= total) {
    const type = byteAt(offset);
    const length = ((byteAt(offset + 1) << 24) | (byteAt(offset + 2) << 16) | (byteAt(offset + 3) << 8) | byteAt(offset + 4)) >>> 0;
    if (type === READY_FOR_QUERY && offset + 5 < total) status = String.fromCharCode(byteAt(offset + 5));
    offset += 1 + length;
  }
  return status;
}

/**
 * Bytes a client sent and the server has not consumed yet, kept as the chunks the socket delivered: appending
 * never copies what came before (joining on every chunk made a multi-megabyte Bind message cost O(n²) copies).
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first n bytes (n <= length), joined only when they span chunks. */
  peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  /** Removes and returns the first n bytes (n <= length). */
  take(n: number): Buffer {
    const head = this.peek(n);
    const first = this.chunks[0]!;
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.length -= n;
    return head;
  }
}

export async function startWireServer(
  db: PGlite,
  listen: WireAddress,
  opts: { idleOwnerTimeoutMs?: number } = {}
): Promise<WireServer> {
  const idleTimeoutMs = opts.idleOwnerTimeoutMs ?? IDLE_OWNER_TIMEOUT_MS;
  const gate = new SessionGate();
  const sockets = new Set<net.Socket>();
  const socketOf = new WeakMap<object, net.Socket>();
  const idleCheck = setInterval(() => {
    const idle = gate.idleOwner(idleTimeoutMs);
    if (!idle) return;
    process.stderr.write(`leadflow: closed a store connection idle for ${idleTimeoutMs / 1000} s inside a transaction while others waited\n`);
    socketOf.get(idle)?.destroy();
  }, Math.min(5_000, idleTimeoutMs));
  idleCheck.unref();

  const exec = async (message: Uint8Array, onData: (chunk: Uint8Array) => void) => {
    await db.runExclusive(() => db.execProtocolRawStream(message, { onRawData: onData }));
  };

  const handle = (socket: net.Socket) => {
    sockets.add(socket);
    const me = {};
    socketOf.set(me, socket);
    const pending = new ByteQueue();
    let started = false;
    let closed = false;
    let pumping: Promise<void> = Promise.resolve();

    const run = async (message: Buffer) => {
      await gate.acquire(me);
      if (closed) return;
      const out: Buffer[] = [];
      await exec(message, (chunk) => {
        // PGlite hands out a view into its WebAssembly heap that it overwrites with the next output. A socket
        // under back-pressure keeps the buffer it was given until later, so it must get a copy: writing the
        // view corrupted large and non-ASCII results (clients saw garbled rows, framing errors, or stalled).
        const copy = Buffer.from(chunk);
        out.push(copy);
        if (!socket.destroyed) socket.write(copy);
      });
      gate.touch();
      if (lastReadyStatus(out) === 'I') gate.release(me);
    };

    const pump = async () => {
      while (!closed) {
        if (!started) {
          if (pending.length < 8) return;
          const head = pending.peek(8);
          const length = head.readInt32BE(0);
          if (pending.length < length) return;
          const code = head.readInt32BE(4);
          // Socket chunks are never reused by Node, so a message taken from them needs no copy of its own.
          const message = pending.take(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write('N'); // no TLS on a local socket; the client goes on in plain text
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end();
            return;
          }
          started = true;
          await run(message);
          continue;
        }
        // Every complete message that has arrived goes to PGlite in one call: pg writes Parse, Bind, Describe,
        // Execute and Sync together, and PGlite's backend loop consumes a whole buffer of messages.
        const batch: Buffer[] = [];
        let terminate = false;
        while (pending.length >= 5) {
          const length = 1 + pending.peek(5).readInt32BE(1);
          if (pending.length < length) break;
          const message = pending.take(length);
          if (message[0] === TERMINATE) {
            terminate = true;
            break;
          }
          batch.push(message);
        }
        if (batch.length > 0) await run(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
        if (terminate) {
          socket.end();
          return;
        }
        if (batch.length === 0) return;
      }
    };

    const onClosed = async () => {
      if (closed) return;
      closed = true;
      sockets.delete(socket);
      gate.forget(me);
      await pumping.catch(() => undefined);
      if (!gate.owns(me)) return;
      // Left in the middle of a sequence or a transaction: end the sequence, undo the transaction.
      try {
        await exec(new Uint8Array(SYNC), () => undefined);
        if (db.isInTransaction()) await db.exec('ROLLBACK');
      } catch {
        // the session is reset by the next client's messages anyway
      } finally {
        gate.release(me);
      }
    };

    socket.on('data', (data: Buffer) => {
      pending.push(data);
      pumping = pumping.then(pump).catch(() => {
        socket.destroy();
      });
    });
    socket.on('close', () => void onClosed());
    socket.on('error', () => socket.destroy());
  };

  const server = net.createServer(handle);
  if ('path' in listen) fs.rmSync(listen.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('path' in listen) server.listen(listen.path, resolve);
    else server.listen(listen.port, listen.host, resolve);
  });
  if ('path' in listen) fs.chmodSync(listen.path, 0o600);
  const bound = server.address();
  const address: WireAddress =
    'path' in listen ? listen : { host: listen.host, port: typeof bound === 'object' && bound ? bound.port : listen.port };

  let listening = true;
  const stopAccepting = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      // net.Server.close stops new connections and calls back once every open one has ended.
      server.close(() => undefined);
      resolve();
    });
  return {
    address,
    connections: () => sockets.size,
    stopAccepting,
    async close() {
      clearInterval(idleCheck);
      await stopAccepting();
      for (const s of sockets) s.destroy();
      await new Promise((r) => setImmediate(r));
    }
  };
}
