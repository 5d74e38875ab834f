/**
 * `npm run preview:lwc`: builds the LWC preview and serves it on http://127.0.0.1:4020 (or --port N) until
 * Ctrl-C. `--build-only --out DIR` writes the page and exits (what the browser test runs).
 */
import path from 'node:path';
import { buildPreview } from './build';
import { servePreview } from './serve';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const outDir = path.resolve(option('--out') ?? path.join(__dirname, '../../tmp/preview-lwc'));
  const started = Date.now();
  const build = await buildPreview(outDir);
  console.log(`Built ${build.components.length} components into ${outDir} in ${Date.now() - started} ms`);
  if (process.argv.includes('--build-only')) {
    return;
  }
  const port = Number(option('--port') ?? 4020);
  const server = await servePreview(outDir, port);
  console.log(`LWC preview: ${server.url} (Ctrl-C to stop)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
