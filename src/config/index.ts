export * from './app-config';
export { ConfigError, loadConfig, parseArgs, normaliseDataverseUrl, USAGE } from './load-config';
export type { CliOptions } from './load-config';
export { ENV_VARIABLES, isLoopbackHost, redactUrl } from './environment';
