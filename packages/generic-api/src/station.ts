import type { GenericStation, GenericStationOptions } from './api.js';

/** Creates a charging station that speaks one version through neutral operations and handlers. */
export function createGenericStation(options: GenericStationOptions): GenericStation {
  void options;
  throw new Error('createGenericStation: not implemented yet');
}
