/**
 * `npm run preview:lwc`: builds the LWC preview and serves it on http://127.0.0.1:4020 (or --port N) until
 * Ctrl-C. `--build-only --out DIR` writes the page and exits (what the browser test runs).
 * `--screenshots DIR` writes one PNG per state into DIR (docs/images/lwc for the admin guide) and exits.
 */
import path from 'node:path';
import { buildPreview } from './build';
import { servePreview } from './serve';
import { interact, launchChromium, openPreview, screenshotStates } from './browser';

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
  const screenshots = option('--screenshots');
  if (screenshots) {
    const server = await servePreview(outDir, 0);
    const browser = await launchChromium();
    try {
      const { page, problems } = await openPreview(browser, server.url);
      await interact(page);
      const files = await screenshotStates(page, path.resolve(screenshots));
      console.log(`Wrote ${files.length} screenshots into ${screenshots}`);
      problems.forEach((problem) => console.warn(problem));
    } finally {
      await browser.close();
      await server.close();
    }
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
