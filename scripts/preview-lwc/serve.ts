/** A static server for the built preview: the page from outDir, /assets from the SLDS package (icons). */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SLDS_ASSETS } from './paths';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff'
};

export interface PreviewServer {
  url: string;
  close(): Promise<void>;
}

/** Resolves a request path inside root; null when it escapes root. */
function inside(root: string, requestPath: string): string | null {
  const file = path.join(root, path.normalize(decodeURIComponent(requestPath)));
  return file.startsWith(root + path.sep) || file === root ? file : null;
}

export function servePreview(outDir: string, port = 0): Promise<PreviewServer> {
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = pathname.startsWith('/assets/')
      ? inside(SLDS_ASSETS, pathname.slice('/assets'.length))
      : inside(outDir, pathname === '/' ? '/index.html' : pathname);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: ${pathname}`);
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        close: () => new Promise((done) => server.close(() => done()))
      });
    });
  });
}
