export { configSchema, orgConfigSchema, storeConfigSchema, type LeadflowConfig } from './schema';
export { loadConfig, validateConfig, ENV_OVERRIDES, DEFAULT_CONFIG_FILES, type LoadConfigOptions, type LoadedConfig } from './load';
