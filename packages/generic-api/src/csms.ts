import type { GenericCsms, GenericCsmsOptions } from './api.js';

/**
 * Creates a CSMS that serves 1.6, 2.0.1 and 2.1 stations through one set of neutral handlers.
 * Call `listen()` on the listener yourself (as with `CsmsServer`).
 */
export function createGenericCsms(options: GenericCsmsOptions): GenericCsms {
  void options;
  throw new Error('createGenericCsms: not implemented yet');
}
