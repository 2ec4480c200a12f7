/** A small typed event emitter (no Node dependency, so the session runs anywhere). */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  /** Created on the first `on`: most emitters in a large fleet never get a listener. */
  private listeners: Map<keyof Events, Set<Events[keyof Events]>> | undefined;

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    this.listeners ??= new Map();
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.listeners?.get(event)?.delete(listener);
  }

  /** True when at least one listener is registered for the event. */
  has<K extends keyof Events>(event: K): boolean {
    const set = this.listeners?.get(event);
    return set !== undefined && set.size > 0;
  }

  /** Calls every listener; a listener that throws does not stop the others. */
  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const set = this.listeners?.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
