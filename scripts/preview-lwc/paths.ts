/** Where the preview's inputs live (kept apart from build.ts so the server and tests load without rollup). */
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const SLDS_ASSETS = path.join(ROOT, 'node_modules/@salesforce-ux/design-system/assets');
