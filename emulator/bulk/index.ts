/** Bulk API 2.0 for the emulator: `registerBulkRoutes(app, ctx)` is called by emulator/server.ts. */
export { registerBulkRoutes, MAX_UPLOAD_BYTES, type BulkRouteOptions, type BulkRoutesHandle } from './routes';
