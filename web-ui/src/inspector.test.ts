import type { StackEvent } from './api';
import { connectionHistory, table } from './inspector';

const ev = (t: number, kind: string, detail: Record<string, unknown>): StackEvent => ({ seq: t, timeNanos: t, node: 'web', layer: 'tcp', kind, detail });

describe('node inspector', () => {
  it('charts a connection\'s cwnd, RTT and RTO and a listener\'s queues from TCP events', () => {
    const h = connectionHistory([
      ev(1, 'queue', { local: '0.0.0.0:80', backlog: 128, syn_queue: 0, accept_queue: 0 }),
      ev(2, 'queue', { local: '0.0.0.0:80', backlog: 128, syn_queue: 1, accept_queue: 0 }),
      ev(3, 'rto', { local: 'a:80', remote: 'b:5', rto_ms: 1000, srtt_us: 0 }),
      ev(4, 'cc', { local: 'a:80', remote: 'b:5', cwnd: 14480, ssthresh: -1 }),
      ev(4, 'rto', { local: 'a:80', remote: 'b:5', rto_ms: 200, srtt_us: 62000 }),
    ]);
    const listen = h.find(x => x.key === '0.0.0.0:80 (listening)')!;
    expect(listen.series.find(s => s.name === 'syn queue')!.points).toEqual([[1, 0], [2, 1]]);
    const conn = h.find(x => x.key === 'a:80 ↔ b:5')!;
    expect(Object.fromEntries(conn.series.map(s => [s.name, s.points]))).toEqual({
      'rto (ms)': [[3, 1000], [4, 200]], 'srtt (ms)': [[4, 62]], 'cwnd (bytes)': [[4, 14480]],
    });
  });

  it('shows socket and cache contents as text', () => {
    const t = table([{ name: '<img src=x onerror=alert(1)>.example.', type: 'A' }]);
    expect(t.querySelector('img')).toBeNull();
    expect(t.querySelector('td')!.textContent).toBe('<img src=x onerror=alert(1)>.example.');
  });
});
