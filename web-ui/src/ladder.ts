// The ladder: one network-wide sequence diagram. Nodes are lanes; every frame is an arrow from the
// lane of the node that sent it onto its segment to the lane(s) of the node(s) it was for on that
// segment, so a packet that crosses three routers is four arrows, hop by hop; stack events are marks
// on their node's lane. One item per row, in causal order.
import type { FrameRow, StackEvent, Topology } from './api';
import { displayProtocol } from './frames';

export type LadderRow =
  | { type: 'frame'; frame: FrameRow; from: number; to: number[]; broadcast: boolean }
  | { type: 'event'; event: StackEvent; lane: number };

export interface Ladder { lanes: string[]; rows: LadderRow[] }

const BROADCAST = 'ff:ff:ff:ff:ff:ff';

/** Which nodes have an interface on each segment. */
export function segmentMembers(t: Topology): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [node, n] of Object.entries(t.nodes ?? {})) {
    for (const i of Object.values(n.interfaces ?? {})) {
      if (!i.segment) continue;
      if (!m.has(i.segment)) m.set(i.segment, []);
      if (!m.get(i.segment)!.includes(node)) m.get(i.segment)!.push(node);
    }
  }
  return m;
}

/**
 * Lanes left to right along the path traffic takes: breadth first over the topology (node to
 * segment to node) from the client: the first host that sends something other than ARP, else a
 * host that takes its address by DHCP, else the first host, so the lanes stay put as a run goes on.
 */
export function laneOrder(t: Topology, frames: FrameRow[]): string[] {
  const nodes = Object.keys(t.nodes ?? {});
  const members = segmentMembers(t);
  const hosts = nodes.filter(n => t.nodes[n].kind === 'host').sort();
  const sender = frames.find(f => !f.protocols.includes('arp') && hosts.includes(f.ingressNode))?.ingressNode;
  const dhcp = hosts.find(n => Object.values(t.nodes[n].interfaces ?? {}).some(i => i.dhcp));
  const start = sender ?? dhcp ?? hosts[0] ?? frames[0]?.ingressNode ?? nodes[0];
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = start ? [start] : [];
  if (start) seen.add(start);
  while (queue.length) {
    const n = queue.shift()!;
    order.push(n);
    const ifaces = Object.values(t.nodes[n]?.interfaces ?? {});
    for (const i of ifaces) {
      for (const peer of (i.segment ? members.get(i.segment) : undefined) ?? []) {
        if (!seen.has(peer)) {
          seen.add(peer);
          queue.push(peer);
        }
      }
    }
  }
  for (const n of nodes) if (!seen.has(n)) order.push(n);
  return order;
}

/** MAC address to node: from the frames themselves (each sender's source MAC), plus any known ones. */
export function macOwners(frames: FrameRow[], known: Map<string, string> = new Map()): Map<string, string> {
  const m = new Map(known);
  for (const f of frames) if (f.srcMac && f.ingressNode && !m.has(f.srcMac)) m.set(f.srcMac, f.ingressNode);
  return m;
}

/**
 * Frames and events in causal order. Lab time first. At equal times, a frame comes after the events
 * of its sender at that time that made it (a route lookup, a forward, a state change: up to the
 * sender's next event that sends something), and the events left at that time come after the frames
 * (what arrived over a link without delay).
 */
export function causalOrder(frames: FrameRow[], events: StackEvent[]): ({ type: 'frame'; frame: FrameRow } | { type: 'event'; event: StackEvent })[] {
  const out: ({ type: 'frame'; frame: FrameRow } | { type: 'event'; event: StackEvent })[] = [];
  const fs = [...frames].sort((a, b) => a.timeNanos - b.timeNanos || a.seq - b.seq);
  const es = [...events].sort((a, b) => a.timeNanos - b.timeNanos || a.seq - b.seq);
  let fi = 0;
  let ei = 0;
  while (fi < fs.length || ei < es.length) {
    const t = Math.min(fi < fs.length ? fs[fi].timeNanos : Infinity, ei < es.length ? es[ei].timeNanos : Infinity);
    const groupFrames: FrameRow[] = [];
    while (fi < fs.length && fs[fi].timeNanos === t) groupFrames.push(fs[fi++]);
    const pending: StackEvent[] = [];
    while (ei < es.length && es[ei].timeNanos === t) pending.push(es[ei++]);
    groupFrames.forEach((f, k) => {
      const own = pending.filter(e => e.node === f.ingressNode);
      const send = own.findIndex(isSendLike);
      const lastOfSender = !groupFrames.slice(k + 1).some(g => g.ingressNode === f.ingressNode);
      const take = send >= 0 ? own.slice(0, send + 1) : lastOfSender ? own : [];
      for (const e of take) {
        pending.splice(pending.indexOf(e), 1);
        out.push({ type: 'event', event: e });
      }
      out.push({ type: 'frame', frame: f });
    });
    for (const e of pending) out.push({ type: 'event', event: e });
  }
  return out;
}

/** Events that put a frame on the wire. */
function isSendLike(e: StackEvent): boolean {
  return (e.layer === 'ipv4' && e.kind === 'forward') || /(^|_)(sent|send)$/.test(e.kind) || e.kind === 'relay_to_server'
    || e.kind === 'relay_to_client';
}

export function layoutLadder(t: Topology, frames: FrameRow[], events: StackEvent[], knownMacs?: Map<string, string>,
                             lanes?: string[]): Ladder {
  const order = lanes ?? laneOrder(t, frames);
  const index = new Map(order.map((n, i) => [n, i]));
  const members = segmentMembers(t);
  const macs = macOwners(frames, knownMacs);
  const rows: LadderRow[] = [];
  for (const item of causalOrder(frames, events)) {
    if (item.type === 'event') {
      const lane = index.get(item.event.node);
      if (lane !== undefined) rows.push({ type: 'event', event: item.event, lane });
      continue;
    }
    const f = item.frame;
    const from = index.get(f.ingressNode);
    if (from === undefined) continue;
    const dst = f.dstMac?.toLowerCase();
    const broadcast = !dst || dst === BROADCAST || (parseInt(dst.slice(0, 2), 16) & 1) === 1; // group bit (IEEE 802)
    let to: string[];
    if (broadcast) {
      to = (members.get(f.segment) ?? []).filter(n => n !== f.ingressNode);
    } else {
      const owner = macs.get(dst!);
      to = owner && owner !== f.ingressNode ? [owner] : [];
    }
    rows.push({ type: 'frame', frame: f, from, to: to.map(n => index.get(n)!).filter(i => i !== undefined), broadcast });
  }
  return { lanes: order, rows };
}

/** A frame's arrow label: protocol and the gist of its info. */
export function arrowLabel(f: FrameRow, max = 70): string {
  // tcpdump-style info starts with the addresses, which the lanes show already: ports and the rest
  const colon = f.info.indexOf(': ');
  const rest = f.srcPort !== null && f.dstPort !== null && colon > 0 ? `${f.srcPort}→${f.dstPort} ${f.info.slice(colon + 2)}` : f.info;
  const label = `${displayProtocol(f)} ${rest}`;
  return label.length > max ? label.slice(0, max - 1) + '…' : label;
}

/** An event mark's label: layer/kind and the detail that matters most. */
export function eventLabel(e: StackEvent): string {
  const d = e.detail ?? {};
  const pick = (...keys: string[]) => keys.map(k => d[k]).filter(v => v !== undefined && v !== null && v !== '').map(String);
  let gist: string[] = [];
  if (e.layer === 'tcp' && e.kind === 'state') gist = [`${d.from ?? '?'} → ${d.to ?? '?'}`];
  else if (e.layer === 'syscall') gist = pick('program').concat(d.result !== undefined ? [`= ${d.result}`] : []);
  else if (e.layer === 'dns') gist = pick('name', 'type', 'server', 'rcode');
  else if (e.layer === 'dhcp') gist = pick('message', 'state', 'to', 'address', 'yiaddr');
  else if (e.layer === 'arp') gist = pick('ip', 'to', 'target');
  else if (e.layer === 'route') gist = pick('destination', 'result', 'via');
  else if (e.layer === 'ipv4') gist = pick('destination', 'out');
  else if (e.layer === 'tcp' && e.kind === 'queue') gist = pick('syn_queue', 'accept_queue', 'send_buffer');
  else if (e.layer === 'http') gist = pick('method', 'status', 'url', 'host');
  const label = `${e.layer === 'syscall' ? '' : e.layer + ' '}${e.kind}${gist.length ? ' ' + gist.join(' ') : ''}`;
  return label.length > 60 ? label.slice(0, 59) + '…' : label;
}
