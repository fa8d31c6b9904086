import { Logger } from '@nestjs/common';

/** The default logger of the auth code: Nest's, so it follows the app's logger (pino to stderr). */
export const nestLogger = new Logger('Auth');
