// Step mode: a cursor over a run's trace, frames and events merged in causal order, moved one item
// at a time (Step) or at a chosen speed (Play). When the cursor reaches the end of what a live
// virtual-time run has captured, lab time is advanced in small steps until something happens, and
// the cursor moves on by one item again: one step is always exactly one frame or one event.
import type { FrameRow, Page, StackEvent } from './api';
import { causalOrder } from './ladder';

export type TraceItem = { type: 'frame'; frame: FrameRow } | { type: 'event'; event: StackEvent };

export interface StepSource {
  frames(after: number, limit: number): Promise<Page<FrameRow>>;
  events(after: number, limit: number): Promise<Page<StackEvent>>;
  /** Lets lab time pass in a live virtual-time run and waits until what it made is stored; false when it cannot. */
  advance?(duration: string): Promise<boolean>;
}

/** Lab time to let pass, in turn, when the trace has nothing more: 1 ms up to 10 s, 60 s in all. */
const QUANTA = ['1ms', '10ms', '100ms', '1s', '10s', '10s', '10s', '10s', '10s', '10s'];

export function itemTime(i: TraceItem): number {
  return i.type === 'frame' ? i.frame.timeNanos : i.event.timeNanos;
}

export function itemKey(i: TraceItem): string {
  return i.type === 'frame' ? `f:${i.frame.seq}` : `e:${i.event.seq}`;
}

export class Stepper {
  private frames: FrameRow[] = [];
  private events: StackEvent[] = [];
  private frameCursor = -1; // last frame fetched
  private eventCursor = -1;
  private framesMore = true;
  private eventsMore = true;
  private ready: TraceItem[] = [];
  current: TraceItem | null = null;
  steps = 0;

  constructor(private readonly source: StepSource, private readonly page = 500) {}

  /** The next item, or null when the trace ends (and time cannot or did not make more). */
  async step(): Promise<TraceItem | null> {
    if (!this.ready.length) await this.refill();
    if (!this.ready.length && this.source.advance) {
      for (const q of QUANTA) {
        if (!(await this.source.advance(q))) break;
        this.framesMore = true;
        this.eventsMore = true;
        await this.refill();
        if (this.ready.length) break;
      }
    }
    const next = this.ready.shift() ?? null;
    if (next) {
      this.current = next;
      this.steps++;
    }
    return next;
  }

  /**
   * Reads more of both lists and moves to `ready` what can be ordered for sure: everything before
   * the earlier of the two lists' last times while either may have more (an item at that very time
   * may still be on the next page).
   */
  private async refill(): Promise<void> {
    for (let round = 0; round < 50 && !this.ready.length; round++) {
      const [fp, ep] = await Promise.all([
        this.framesMore ? this.source.frames(this.frameCursor, this.page) : null,
        this.eventsMore ? this.source.events(this.eventCursor, this.page) : null,
      ]);
      if (fp) {
        this.frames.push(...fp.items);
        if (fp.items.length) this.frameCursor = fp.items[fp.items.length - 1].seq;
        this.framesMore = fp.nextCursor !== null;
      }
      if (ep) {
        this.events.push(...ep.items);
        if (ep.items.length) this.eventCursor = ep.items[ep.items.length - 1].seq;
        this.eventsMore = ep.nextCursor !== null;
      }
      let horizon = Infinity;
      if (this.framesMore && this.frames.length) horizon = Math.min(horizon, this.frames[this.frames.length - 1].timeNanos);
      if (this.eventsMore && this.events.length) horizon = Math.min(horizon, this.events[this.events.length - 1].timeNanos);
      const fs = this.frames.filter(f => f.timeNanos < horizon);
      const es = this.events.filter(e => e.timeNanos < horizon);
      this.frames = this.frames.filter(f => f.timeNanos >= horizon);
      this.events = this.events.filter(e => e.timeNanos >= horizon);
      this.ready.push(...causalOrder(fs, es));
      if (!this.framesMore && !this.eventsMore) break;
    }
  }
}
