import { OcppCallError } from '@ocpp/runtime';
import type { Logger } from './logger.js';
import type { Service } from './router.js';

/** Logs every inbound call with its outcome and how long the handler took. */
export function log(logger: Logger): Service {
  return async (call, next) => {
    const started = Date.now();
    logger.info(`${call.identity} → ${call.action}`, { messageId: call.messageId });
    try {
      const result = await next();
      logger.info(`${call.identity} ← ${call.action} in ${Date.now() - started} ms`, {
        messageId: call.messageId,
      });
      return result;
    } catch (e) {
      logger.warn(`${call.identity} ✗ ${call.action} in ${Date.now() - started} ms`, {
        messageId: call.messageId,
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  };
}

/**
 * Fails a handler that takes longer than `ms` with a CALLERROR `InternalError`, so the peer gets
 * an answer before its own timeout instead of none.
 */
export function timeout(ms: number): Service {
  return (call, next) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new OcppCallError('InternalError', `${call.action} was not handled within ${ms} ms`),
        );
      }, ms);
      next().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
}
