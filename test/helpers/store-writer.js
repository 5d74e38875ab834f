#!/usr/bin/env node
// A separate process using the leadflow store, for test/integration/store-processes.test.ts:
// opens the store at argv[2], writes argv[3] rows in transactions (each row read back inside its transaction),
// prints {"pid":…,"written":…} and closes the store.
require('tsx/cjs');
const { openStore } = require('../../src/store/store.ts');

async function main() {
  const [dataDir, count] = [process.argv[2], Number(process.argv[3])];
  const store = await openStore({ dataDir });
  await store.exec('create table if not exists writer_rows (id bigserial primary key, pid integer not null, n integer not null)');
  let written = 0;
  for (let n = 0; n < count; n++) {
    await store.transaction(async (tx) => {
      await tx.query('insert into writer_rows (pid, n) values ($1, $2)', [process.pid, n]);
      const mine = await tx.query('select count(*)::int as c from writer_rows where pid = $1', [process.pid]);
      // Another process's statements never run inside this transaction, so the count is exactly ours.
      if (Number(mine[0].c) !== n + 1) throw new Error(`expected ${n + 1} own rows, saw ${mine[0].c}`);
    });
    written++;
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ pid: process.pid, written })}\n`);
}
main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
