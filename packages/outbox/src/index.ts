export {
  Outbox,
  type OutboxEvents,
  type OutboxMessage,
  type OutboxOptions,
} from './outbox.js';
export { MemoryStore, type OutboxRecord, type OutboxStore } from './store.js';
