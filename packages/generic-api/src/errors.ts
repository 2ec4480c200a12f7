import { isOcppSdkError, OcppSdkError } from '@ocpp/runtime';
import type { ProtocolVersion } from './model.js';

/** Builds the error a neutral operation rejects with when the version has no equivalent. */
export function unsupported(version: ProtocolVersion, what: string): OcppSdkError {
  return new OcppSdkError('UNSUPPORTED_BY_VERSION', `${what} has no equivalent in ${version}`);
}

/** True for the `UNSUPPORTED_BY_VERSION` error of a neutral operation that was not sent. */
export function isUnsupportedByVersion(error: unknown): error is OcppSdkError {
  return isOcppSdkError(error) && error.code === 'UNSUPPORTED_BY_VERSION';
}
