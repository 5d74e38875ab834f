import { createRequire } from 'node:module';

const requireHere = createRequire(__filename);

/**
 * Loads a TypeScript or JavaScript module by absolute path with require(). Not import(): the CLI registers
 * tsx's CommonJS hook only (bin/leadflow.js), and one CommonJS module graph keeps classes such as
 * SalesforceError identical for instanceof checks. jest (swc) and `tsx scripts/…` support this too.
 */
export function loadModule<T = Record<string, unknown>>(file: string): T {
  return requireHere(file) as T;
}
