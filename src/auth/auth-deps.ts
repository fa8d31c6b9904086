import type { LoggerService } from '@nestjs/common';
import type { INetworkModule } from '@azure/msal-node';
import type { CacheFileSystem } from './file-token-cache';

export type TimerHandle = unknown;

/** Time as the auth code sees it; tests swap it to expire a pending sign-in without waiting 10 minutes. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    // A pending sign-in must never keep the process alive on its own.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Optional collaborators, mostly for tests; production passes nothing. */
export interface AuthDeps {
  /** MSAL `system.networkClient`: tests play the identity provider with it. */
  networkClient?: INetworkModule;
  clock?: Clock;
  /** Used by the sandbox provider to call the emulator's identity endpoints. */
  fetch?: typeof fetch;
  logger?: LoggerService;
  /** File operations of the token cache (tests simulate a crash between write and rename). */
  fileSystem?: Partial<CacheFileSystem>;
  /** How long SignedInGuard waits for a token before answering (default 20 s). */
  guardTimeoutMs?: number;
  /** Overrides the loopback host put into the redirect URI (default `localhost`). */
  redirectUriHost?: string;
}

/** Optional Nest provider token: `{ provide: AUTH_DEPS, useValue: { networkClient, clock } }` in tests. */
export const AUTH_DEPS = Symbol('AUTH_DEPS');
