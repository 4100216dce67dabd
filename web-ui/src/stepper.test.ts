import type { FrameRow, Page, StackEvent } from './api';
import { Stepper, itemKey, type StepSource } from './stepper';

function frame(seq: number, t: number, node = 'a'): FrameRow {
  return { seq, timeNanos: t, segment: 's', ingressPort: `${node}:eth0`, ingressNode: node, length: 60, protocols: ['eth', 'arp'],
    srcMac: null, dstMac: null, srcIp: null, dstIp: null, ipProtocol: null, srcPort: null, dstPort: null, flags: null, conversation: null, info: '' };
}
function event(seq: number, t: number, node = 'a', kind = 'x'): StackEvent {
  return { seq, timeNanos: t, node, layer: 'l', kind, detail: {} };
}
function pageOf<T extends { seq: number }>(all: T[], after: number, limit: number): Page<T> {
  const rest = all.filter(x => x.seq > after);
  const items = rest.slice(0, limit);
  return { items, nextCursor: rest.length > limit ? items[items.length - 1].seq : null };
}

/** A virtual-time run behind the API: advancing lets its next items happen. */
class FakeRun implements StepSource {
  clock = 0;
  advances: string[] = [];
  constructor(private readonly allFrames: FrameRow[], private readonly allEvents: StackEvent[], private readonly live: boolean) {}
  frames(after: number, limit: number) { return Promise.resolve(pageOf(this.allFrames.filter(f => f.timeNanos <= this.clock), after, limit)); }
  events(after: number, limit: number) { return Promise.resolve(pageOf(this.allEvents.filter(e => e.timeNanos <= this.clock), after, limit)); }
  advance = async (d: string) => {
    if (!this.live) return false;
    this.advances.push(d);
    this.clock += { '1ms': 1e6, '10ms': 1e7, '100ms': 1e8, '1s': 1e9, '10s': 1e10 }[d]!;
    return true;
  };
}

async function walk(s: Stepper, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const item = await s.step();
    out.push(item ? itemKey(item) : 'end');
  }
  return out;
}

describe('step mode', () => {
  it('moves one frame or event per step, in causal order, across page boundaries', async () => {
    const frames = [frame(0, 10), frame(1, 20), frame(2, 20, 'b'), frame(3, 35)];
    const events = [event(0, 5), event(1, 20, 'b'), event(2, 20), event(3, 30), event(4, 40)];
    const run = new FakeRun(frames, events, false);
    run.clock = 100;
    const s = new Stepper(run, 2); // tiny pages: the order must not depend on them
    expect(await walk(s, 11)).toEqual(['e:0', 'f:0', 'e:2', 'f:1', 'e:1', 'f:2', 'e:3', 'f:3', 'e:4', 'end', 'end']);
    expect(s.steps).toBe(9);
  });

  it('lets virtual time pass when the trace is at its end, then steps one item again', async () => {
    const frames = [frame(0, 0), frame(1, 2_500_000), frame(2, 2_500_000, 'b')];
    const run = new FakeRun(frames, [], true);
    const s = new Stepper(run);
    expect(await walk(s, 1)).toEqual(['f:0']);
    expect(run.advances).toEqual([]);
    // nothing more at t=0: 1 ms, 10 ms pass; the two frames at 2.5 ms came: one step takes one of them
    expect(await walk(s, 1)).toEqual(['f:1']);
    expect(run.advances).toEqual(['1ms', '10ms']);
    expect(await walk(s, 1)).toEqual(['f:2']);
    expect(run.advances).toEqual(['1ms', '10ms']);
  });

  it('gives up after a minute of lab time without anything', async () => {
    const run = new FakeRun([], [], true);
    const s = new Stepper(run);
    expect(await s.step()).toBeNull();
    expect(run.clock).toBe(61_111_000_000);
  });
});
