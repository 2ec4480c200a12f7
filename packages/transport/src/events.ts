/**
 * A small typed event emitter shared by the SDK's packages: no Node dependency, listeners typed by
 * event, a throwing listener does not stop the others, and an event without listeners is dropped.
 */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  /**
   * Listener arrays by event, created on the first `on`: most emitters in a large fleet never get
   * a listener, and a plain object with arrays is far smaller than a Map of Sets.
   */
  private listeners: { [K in keyof Events]?: Events[K][] } | undefined;

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    this.listeners ??= {};
    const list = this.listeners[event];
    if (list === undefined) this.listeners[event] = [listener];
    else list.push(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    const list = this.listeners?.[event];
    if (list === undefined) return;
    const i = list.indexOf(listener);
    if (i !== -1) list.splice(i, 1);
  }

  /** True when at least one listener is registered for the event. */
  has<K extends keyof Events>(event: K): boolean {
    const list = this.listeners?.[event];
    return list !== undefined && list.length > 0;
  }

  /** Calls every listener; a listener that throws does not stop the others. */
  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const list = this.listeners?.[event];
    if (list === undefined || list.length === 0) return;
    for (const listener of list.length === 1 ? list : [...list]) {
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
