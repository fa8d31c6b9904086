export * from './app-config';
export { ConfigError, loadConfig, parseArgs, normaliseDataverseUrl, USAGE, CliOptions } from './load-config';
export { ENV_VARIABLES, isLoopbackHost, redactUrl } from './environment';
