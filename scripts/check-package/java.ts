import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { GateRunError, type GateName } from './types';

/** PMD 7, apex-ls and Salesforce's platform type stubs, as shipped by Salesforce Code Analyzer's PMD engine. */
export const JAVA_LIB = path.resolve(
  __dirname,
  '../../node_modules/@salesforce/code-analyzer-pmd-engine/dist/java-lib'
);

export interface JavaRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a Java main class with every jar of JAVA_LIB on the classpath. A non-zero exit is returned, not thrown. */
export function runJava(gate: GateName, mainClass: string, args: string[], cwd: string): Promise<JavaRun> {
  if (!existsSync(JAVA_LIB)) {
    throw new GateRunError(
      gate,
      `${JAVA_LIB} is missing; run npm ci (it comes with @salesforce/code-analyzer-pmd-engine)`
    );
  }
  return new Promise((resolve, reject) => {
    execFile(
      'java',
      ['-cp', `${JAVA_LIB}${path.sep}*`, mainClass, ...args],
      { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new GateRunError(
              gate,
              'java was not found on PATH; install a JRE 17+ (Debian: apt-get install default-jre-headless)'
            )
          );
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      }
    );
  });
}
