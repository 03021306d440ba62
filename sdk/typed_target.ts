/**
 * An `EventTarget` whose events are typed by name, so that a listener for
 * `"message"` is handed a `CustomEvent<Message>` without a cast.
 *
 * @module
 */

/** A listener for the events of type `E`. */
export type Listener<E extends Event> = (event: E) => void;

/**
 * `EventTarget`, with `addEventListener` and `removeEventListener` typed by
 * the map `M` of event names to event types.
 *
 * @example
 * ```ts
 * class Clock extends TypedTarget<{ tick: CustomEvent<number> }> {
 *   tick(now: number): void {
 *     this.dispatchEvent(new CustomEvent("tick", { detail: now }));
 *   }
 * }
 * const clock = new Clock();
 * clock.addEventListener("tick", (event) => console.log(event.detail + 1));
 * clock.tick(Date.now());
 * ```
 */
export class TypedTarget<M extends { [K in keyof M]: Event }>
  extends EventTarget {
  /** Calls `listener` with each event of `type`. */
  override addEventListener<K extends keyof M & string>(
    type: K,
    listener: Listener<M[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Calls `listener` with each event of `type`. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | Listener<never> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListener | null, options);
  }

  /** Stops calling `listener` with the events of `type`. */
  override removeEventListener<K extends keyof M & string>(
    type: K,
    listener: Listener<M[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Stops calling `listener` with the events of `type`. */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | Listener<never> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListener | null, options);
  }

  /** Dispatches a `CustomEvent` of `type` carrying `detail`. */
  protected emit<K extends keyof M & string>(
    type: K,
    detail: M[K] extends CustomEvent<infer D> ? D : never,
  ): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
