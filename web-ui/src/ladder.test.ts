import type { FrameRow, StackEvent, Topology } from './api';
import { causalOrder, eventLabel, laneOrder, layoutLadder } from './ladder';

// pc1 --lan-- r1 --wan-- srv, plus a node on lan that hears broadcasts
const T: Topology = {
  name: 't',
  nodes: {
    srv: { kind: 'host', interfaces: { eth0: { segment: 'wan', address: '10.0.1.10/24' } } },
    r1: { kind: 'router', interfaces: { eth0: { segment: 'lan', address: '10.0.0.1/24' }, eth1: { segment: 'wan', address: '10.0.1.1/24' } } },
    pc1: { kind: 'host', interfaces: { eth0: { segment: 'lan', address: '10.0.0.10/24' } } },
    pc2: { kind: 'host', interfaces: { eth0: { segment: 'lan', address: '10.0.0.11/24' } } },
  },
};
const MAC = { pc1: '02:00:00:00:00:01', r1lan: '02:00:00:00:01:01', r1wan: '02:00:00:00:01:02', srv: '02:00:00:00:02:01', pc2: '02:00:00:00:00:02' };

function frame(seq: number, t: number, segment: string, node: string, src: string, dst: string, info: string, over: Partial<FrameRow> = {}): FrameRow {
  return { seq, timeNanos: t, segment, ingressPort: `${node}:eth0`, ingressNode: node, length: 60, protocols: ['eth', 'ipv4', 'tcp'],
    srcMac: src, dstMac: dst, srcIp: null, dstIp: null, ipProtocol: 6, srcPort: 5000, dstPort: 80, flags: null, conversation: null, info, ...over };
}

function event(seq: number, t: number, node: string, layer: string, kind: string, detail: Record<string, unknown> = {}): StackEvent {
  return { seq, timeNanos: t, node, layer, kind, detail };
}

// pc1 asks who has 10.0.0.1 (broadcast); r1 answers; pc1's SYN crosses r1 to srv; srv's SYN-ACK comes back.
const FRAMES = [
  frame(0, 1000, 'lan', 'pc1', MAC.pc1, 'ff:ff:ff:ff:ff:ff', 'ARP who-has 10.0.0.1', { protocols: ['eth', 'arp'], srcPort: null, dstPort: null }),
  frame(1, 1500, 'lan', 'r1', MAC.r1lan, MAC.pc1, 'ARP reply 10.0.0.1 is-at', { protocols: ['eth', 'arp'], srcPort: null, dstPort: null }),
  frame(2, 2000, 'lan', 'pc1', MAC.pc1, MAC.r1lan, 'Flags [S], length 0'),
  frame(3, 2500, 'wan', 'r1', MAC.r1wan, MAC.srv, 'Flags [S], length 0'),
  frame(4, 3000, 'wan', 'srv', MAC.srv, MAC.r1wan, 'Flags [S.], length 0'),
  frame(5, 3500, 'lan', 'r1', MAC.r1lan, MAC.pc1, 'Flags [S.], length 0'),
];

describe('ladder layout', () => {
  it('orders lanes along the path from the client, whatever the file order', () => {
    expect(laneOrder(T, FRAMES)).toEqual(['pc1', 'r1', 'pc2', 'srv']);
  });

  it('keeps the client first while only routers have spoken (gratuitous ARP at boot)', () => {
    const boot = [frame(0, 0, 'lan', 'r1', MAC.r1lan, 'ff:ff:ff:ff:ff:ff', 'ARP who-has 10.0.0.1 (gratuitous)', { protocols: ['eth', 'arp'] })];
    const dhcpClient: Topology = { ...T, nodes: { ...T.nodes, pc2: { kind: 'host', interfaces: { eth0: { segment: 'lan', dhcp: true } } } } };
    expect(laneOrder(dhcpClient, boot)[0]).toBe('pc2');
    expect(laneOrder(T, boot)[0]).toBe('pc1');
  });

  it('draws every hop of a packet as its own arrow, sender lane to receiver lane', () => {
    const l = layoutLadder(T, FRAMES, []);
    const arrows = l.rows.filter(r => r.type === 'frame').map(r => r.type === 'frame' ? `${r.frame.seq}:${l.lanes[r.from]}>${r.to.map(i => l.lanes[i]).join('+')}` : '');
    expect(arrows).toEqual(['0:pc1>r1+pc2', '1:r1>pc1', '2:pc1>r1', '3:r1>srv', '4:srv>r1', '5:r1>pc1']);
    const broadcast = l.rows[0];
    expect(broadcast.type === 'frame' && broadcast.broadcast).toBe(true);
  });

  it('puts events on their node lane, in time order with the frames', () => {
    const events = [event(0, 2500, 'srv', 'tcp', 'state', { from: 'LISTEN', to: 'SYN_RECEIVED' }), event(1, 500, 'pc1', 'tcp', 'state', { from: 'CLOSED', to: 'SYN_SENT' })];
    const l = layoutLadder(T, FRAMES, events);
    const seqs = l.rows.map(r => (r.type === 'frame' ? `f${r.frame.seq}` : `e${r.event.seq}@${l.lanes[r.lane]}`));
    expect(seqs).toEqual(['e1@pc1', 'f0', 'f1', 'f2', 'f3', 'e0@srv', 'f4', 'f5']);
  });

  it('at one instant: the sender\'s events that made a frame come before it, the rest after it', () => {
    // r1 at t=2500: it received the SYN (an event that came with the frame before), looked up the
    // route, forwarded: then frame 3; srv, on a link without delay, logs its state at the same instant.
    const events = [
      event(10, 2500, 'srv', 'tcp', 'state', { to: 'SYN_RECEIVED' }),
      event(11, 2500, 'r1', 'route', 'lookup'),
      event(12, 2500, 'r1', 'ipv4', 'forward'),
      event(13, 2500, 'r1', 'arp', 'neighbor_state'),
    ];
    const order = causalOrder(FRAMES.filter(f => f.seq === 3), events).map(i => (i.type === 'frame' ? `f${i.frame.seq}` : `e${i.event.seq}`));
    expect(order).toEqual(['e11', 'e12', 'f3', 'e10', 'e13']);
  });

  it('shares a sender\'s events out among the frames it sends at one instant', () => {
    const a = frame(7, 100, 'lan', 'r1', MAC.r1lan, MAC.pc1, 'one');
    const b = frame(8, 100, 'lan', 'r1', MAC.r1lan, MAC.pc2, 'two');
    const events = [event(1, 100, 'r1', 'ipv4', 'forward'), event(2, 100, 'r1', 'ipv4', 'forward')];
    const order = causalOrder([b, a], events).map(i => (i.type === 'frame' ? `f${i.frame.seq}` : `e${i.event.seq}`));
    expect(order).toEqual(['e1', 'f7', 'e2', 'f8']);
  });

  it('labels events with what matters', () => {
    expect(eventLabel(event(0, 0, 'pc1', 'tcp', 'state', { from: 'SYN_SENT', to: 'ESTABLISHED' }))).toBe('tcp state SYN_SENT → ESTABLISHED');
    expect(eventLabel(event(0, 0, 'resolver', 'dns', 'query_sent', { name: 'com.', type: 'NS', server: '198.18.0.11' }))).toBe('dns query_sent com. NS 198.18.0.11');
  });
});

describe('arrow labels', () => {
  it('leave out the addresses the lanes show, and fit their room', async () => {
    const { arrowLabel } = await import('./ladder');
    const f = frame(0, 0, 'lan', 'pc1', MAC.pc1, MAC.r1lan, '10.0.0.10.5000 > 10.0.1.10.80: Flags [S], seq 1, win 65535, length 0');
    expect(arrowLabel(f)).toBe('TCP 5000→80 Flags [S], seq 1, win 65535, length 0');
    expect(arrowLabel(f, 20)).toBe('TCP 5000→80 Flags […');
  });
});
