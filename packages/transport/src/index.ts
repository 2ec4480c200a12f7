export { Emitter } from './events.js';
export { createMemoryTransportPair, type MemoryTransportOptions } from './memory.js';
export type {
  IncomingConnection,
  Transport,
  TransportCloseInfo,
  TransportHandlers,
  TransportOpenInfo,
  TransportServer,
} from './transport.js';
