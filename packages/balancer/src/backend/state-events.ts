/**
 * Changes of state the rest of the process reacts to: a server going UP or DOWN (checks, the runtime
 * API), a weight change, listeners paused or resumed. The health API pushes them to its watchers at
 * once; stats and logs subscribe the same way. Synchronous and allocation-free when nobody listens.
 */
export type StateChange =
  | {
      readonly kind: 'server';
      readonly backend: string;
      readonly server: string;
      readonly up: boolean;
      readonly reason: string;
    }
  | { readonly kind: 'listeners'; readonly listening: boolean };

export type StateListener = (change: StateChange) => void;

export class StateEvents {
  private readonly listeners = new Set<StateListener>();

  /** Subscribes; returns the unsubscribe function. */
  on(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: StateChange): void {
    for (const l of this.listeners) l(change);
  }
}
