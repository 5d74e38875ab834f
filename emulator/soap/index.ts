/** SOAP Partner API for the emulator (convertLead): `registerSoapRoutes(app, ctx)` is called by emulator/server.ts. */
export { registerSoapRoutes } from './routes';
export {
  MAX_LEAD_CONVERTS_PER_CALL,
  endOfQuarter,
  type LeadConvertRequest,
  type LeadConvertResult
} from './convert-lead';
