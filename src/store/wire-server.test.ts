import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { ByteQueue, lastReadyStatus, startWireServer, type WireServer } from './wire-server';

jest.setTimeout(120_000);

describe('PGlite wire server', () => {
  let db: PGlite;
  let server: WireServer;
  let dir: string;
  const client = () => new pg.Client({ host: dir, port: 5432, user: 'postgres', database: 'postgres' });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-ws-'));
    db = await PGlite.create();
    server = await startWireServer(db, { path: path.join(dir, '.s.PGSQL.5432') }, { idleOwnerTimeoutMs: 1_000 });
    await db.exec('create table items (id serial primary key, who text not null, n int not null)');
  });
  afterAll(async () => {
    await server.close();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should keep each client’s parameterised statements and transactions apart', async () => {
    // GIVEN four clients, each inserting and reading back its own rows in transactions, all at once
    const clients = [client(), client(), client(), client()];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      await Promise.all(
        clients.map(async (c, k) => {
          for (let n = 0; n < 40; n++) {
            await c.query('begin');
            await c.query('insert into items (who, n) values ($1, $2)', [`c${k}`, n]);
            const { rows } = await c.query<{ c: number }>('select count(*)::int as c from items where who = $1', [`c${k}`]);
            // THEN a client never sees another's uncommitted work or gets another's statement
            expect(rows[0]!.c).toBe(n + 1);
            await c.query('commit');
          }
        })
      );
      const { rows } = await clients[0]!.query<{ c: number }>('select count(*)::int as c from items');
      expect(rows[0]!.c).toBe(160);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('should disconnect a client idle inside a transaction while another waits, rolling its work back', async () => {
    // GIVEN a client that opens a transaction, writes, and goes quiet
    const stuck = client();
    const other = client();
    stuck.on('error', () => undefined);
    await stuck.connect();
    await other.connect();
    try {
      await stuck.query('begin');
      await stuck.query("insert into items (who, n) values ('stuck', 1)");
      // WHEN another client needs the database
      const started = Date.now();
      const { rows } = await other.query<{ c: number }>("select count(*)::int as c from items where who = 'stuck'");
      // THEN it is served after the idle timeout, and the stuck transaction was rolled back
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(rows[0]!.c).toBe(0);
      await expect(stuck.query('commit')).rejects.toThrow();
    } finally {
      await other.end();
      await stuck.end().catch(() => undefined);
    }
  });

  it('should return a large result with non-ASCII text byte for byte', async () => {
    // GIVEN rows far larger than one socket write, holding Persian, Cyrillic and emoji text
    await db.exec('create table names (id int primary key, name text not null)');
    const name = (i: number) => `${i} Ζωή Алексеевна مریم 👩🏽‍💻 ${'x'.repeat(i % 300)}`;
    const values = Array.from({ length: 6_500 }, (_, i) => `(${i}, '${name(i)}')`).join(',');
    await db.exec(`insert into names values ${values}`);
    const c = client();
    await c.connect();
    try {
      // WHEN a client reads them all at once (the socket is under back-pressure while PGlite keeps producing)
      const { rows } = await c.query<{ id: number; name: string }>('select id, name from names order by id');
      // THEN every row arrives intact
      expect(rows).toHaveLength(6_500);
      const wrong = rows.filter((r) => r.name !== name(r.id)).map((r) => r.id);
      expect(wrong).toEqual([]);
    } finally {
      await c.end();
    }
  });

  it('should find the status of the last ReadyForQuery in a backend output', () => {
    const complete = Buffer.from([0x43, 0, 0, 0, 5, 0]); // CommandComplete with an empty tag
    const ready = (s: string) => Buffer.from([0x5a, 0, 0, 0, 5, s.charCodeAt(0)]);
    expect(lastReadyStatus(Buffer.concat([complete, ready('T')]))).toBe('T');
    expect(lastReadyStatus(Buffer.concat([ready('T'), complete, ready('I')]))).toBe('I');
    expect(lastReadyStatus(complete)).toBeNull();
    // The same outputs as the chunks PGlite streams them in, split anywhere (inside a message's length too).
    const whole = Buffer.concat([ready('T'), complete, ready('I')]);
    for (let cut = 1; cut < whole.length; cut++) {
      expect(lastReadyStatus([whole.subarray(0, cut), whole.subarray(cut)])).toBe('I');
    }
    expect(lastReadyStatus([complete.subarray(0, 2), complete.subarray(2), ready('E')])).toBe('E');
  });

  it('should hand out queued client bytes as whole messages, whatever chunks they arrived in', () => {
    const queue = new ByteQueue();
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251));
    for (let i = 0; i < bytes.length; i += 7) queue.push(bytes.subarray(i, i + 7));
    expect(queue.length).toBe(300);
    expect(queue.peek(5)).toEqual(bytes.subarray(0, 5));
    expect(queue.take(100)).toEqual(bytes.subarray(0, 100));
    expect(queue.take(1)).toEqual(bytes.subarray(100, 101));
    expect(queue.peek(150)).toEqual(bytes.subarray(101, 251));
    expect(queue.take(199)).toEqual(bytes.subarray(101, 300));
    expect(queue.length).toBe(0);
  });

  it('should answer every query of a client that sends many statements in one write (pipelined)', async () => {
    // GIVEN a raw client that writes three simple queries at once
    const socket = net.createConnection(server.address as net.NetConnectOpts);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    const startup = Buffer.alloc(8 + 'user\0postgres\0database\0postgres\0\0'.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    startup.write('user\0postgres\0database\0postgres\0\0', 8, 'latin1');
    socket.write(startup);
    const until = async (n: number) => {
      for (let i = 0; i < 200 && (readyForQueryCount(Buffer.concat(received)) < n); i++) await new Promise((r) => setTimeout(r, 25));
    };
    await until(1);
    const query = (sql: string) => {
      const b = Buffer.alloc(1 + 4 + Buffer.byteLength(sql) + 1);
      b[0] = 0x51;
      b.writeInt32BE(b.length - 1, 1);
      b.write(sql, 5);
      return b;
    };
    // WHEN the three queries arrive in one chunk
    socket.write(Buffer.concat([query('select 1'), query('select 2'), query('select 3')]));
    await until(4);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.end(Buffer.from([0x58, 0, 0, 0, 4]));
    await closed;
    // THEN each got its answer and its own ReadyForQuery
    expect(readyForQueryCount(Buffer.concat(received))).toBe(4);
  });
});

/** ReadyForQuery messages in a backend output. */
function readyForQueryCount(output: Buffer): number {
  let n = 0;
  for (let offset = 0; offset + 5 <= output.length; offset += 1 + output.readInt32BE(offset + 1)) if (output[offset] === 0x5a) n++;
  return n;
}
