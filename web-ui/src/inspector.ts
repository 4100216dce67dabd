// The node inspector: a node's interfaces, routes, ARP cache, sockets (state, queues, listeners'
// SYN and accept queues against the backlog, cwnd, ssthresh, RTT, RTO), DHCP leases, DNS caches
// and counters, from the live node; and each connection's cwnd, ssthresh, RTT and RTO over time,
// from the run's TCP events.
import { api, type RunView, type StackEvent } from './api';
import { el, replace } from './dom';

type Row = Record<string, unknown>;

/** A value as table text: nested objects as compact JSON, nothing left as markup. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A table of rows, with the given columns (key, title, format) or every key the rows have. */
export function table(rows: Row[], columns?: [string, string, ((r: Row) => unknown)?][], attrs: Record<string, string> = {}): HTMLElement {
  if (!rows.length) return el('p', { class: 'muted' }, 'none');
  const cols = columns ?? [...new Set(rows.flatMap(r => Object.keys(r)))].map(k => [k, k] as [string, string]);
  return el('table', { class: 'grid', ...attrs },
    el('thead', {}, el('tr', {}, ...cols.map(([, t]) => el('th', {}, t)))),
    el('tbody', {}, ...rows.map(r => el('tr', {}, ...cols.map(([k, , f]) => el('td', { 'data-col': k }, cell(f ? f(r) : r[k])))))));
}

const ms = (ns: unknown) => (typeof ns === 'number' ? (ns / 1e6).toFixed(1) : '');

export interface Series { name: string; points: [number, number][] }
export interface ConnectionHistory { key: string; series: Series[] }

/**
 * Each connection's congestion window, slow-start threshold, smoothed RTT and RTO over lab time,
 * from its node's tcp/cc and tcp/rto events; each listener's SYN and accept queues from tcp/queue.
 */
export function connectionHistory(events: StackEvent[]): ConnectionHistory[] {
  const by = new Map<string, Map<string, [number, number][]>>();
  const add = (key: string, series: string, t: number, v: unknown) => {
    if (typeof v !== 'number' || v < 0) return; // ssthresh -1: not set yet
    if (!by.has(key)) by.set(key, new Map());
    const m = by.get(key)!;
    if (!m.has(series)) m.set(series, []);
    m.get(series)!.push([t, v]);
  };
  for (const e of events) {
    if (e.layer !== 'tcp') continue;
    const d = e.detail;
    const key = d.remote ? `${d.local} ↔ ${d.remote}` : `${d.local} (listening)`;
    if (e.kind === 'cc') {
      add(key, 'cwnd (bytes)', e.timeNanos, d.cwnd);
      add(key, 'ssthresh (bytes)', e.timeNanos, d.ssthresh);
    } else if (e.kind === 'rto') {
      add(key, 'srtt (ms)', e.timeNanos, typeof d.srtt_us === 'number' && d.srtt_us > 0 ? d.srtt_us / 1000 : undefined);
      add(key, 'rto (ms)', e.timeNanos, d.rto_ms);
    } else if (e.kind === 'queue' && !d.remote) {
      add(key, 'syn queue', e.timeNanos, d.syn_queue);
      add(key, 'accept queue', e.timeNanos, d.accept_queue);
      add(key, 'backlog', e.timeNanos, d.backlog);
    }
  }
  return [...by].map(([key, m]) => ({ key, series: [...m].map(([name, points]) => ({ name, points })) }));
}

const SVG = 'http://www.w3.org/2000/svg';

/** A small step chart of one series over lab time. */
function chart(s: Series, t0: number, t1: number): SVGSVGElement {
  const w = 220, h = 54, pad = 4;
  const max = Math.max(1, ...s.points.map(p => p[1]));
  const span = Math.max(1, t1 - t0);
  const x = (t: number) => pad + ((t - t0) / span) * (w - 2 * pad);
  const y = (v: number) => h - pad - (v / max) * (h - 2 * pad - 10);
  let d = '';
  s.points.forEach(([t, v], i) => {
    d += i === 0 ? `M ${x(t)} ${y(v)}` : ` H ${x(t)} V ${y(v)}`;
  });
  d += ` H ${x(t1)}`;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.setAttribute('class', 'spark');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  const label = document.createElementNS(SVG, 'text');
  label.setAttribute('x', String(pad));
  label.setAttribute('y', '10');
  const last = s.points[s.points.length - 1][1];
  label.textContent = `${s.name}: ${Number.isInteger(last) ? last : last.toFixed(1)} (max ${Number.isInteger(max) ? max : max.toFixed(1)})`;
  svg.append(path, label);
  return svg;
}

export class InspectorView {
  readonly element: HTMLElement;
  private readonly tabs = el('div', { class: 'term-tabs', role: 'tablist' });
  private readonly body = el('div', { class: 'inspector-body' });
  private readonly stamp = el('span', { class: 'muted' });
  private run: RunView | null = null;
  private node = '';
  private generation = 0;

  constructor() {
    this.element = el('section', { class: 'view inspector' },
      el('div', { class: 'row' }, this.tabs, el('button', { name: 'refresh', onclick: () => this.refresh() }, 'Refresh'), this.stamp),
      this.body);
  }

  async setRun(run: RunView): Promise<void> {
    this.run = run;
    const names = run.nodes.map(n => n.name);
    const asked = sessionStorage.getItem('wirelab.node');
    sessionStorage.removeItem('wirelab.node');
    if (asked && names.includes(asked)) this.node = asked;
    if (!names.includes(this.node)) this.node = names[0] ?? '';
    replace(this.tabs, ...run.nodes.map(n => el('button', { role: 'tab', name: `inspect-${n.name}`, 'data-node': n.name,
      class: n.name === this.node ? 'current' : '', title: n.kind, onclick: () => { this.node = n.name; this.setRun(this.run!); } }, n.name)));
    if (!run.live) {
      replace(this.body, el('p', { class: 'muted' }, `Run ${run.id} is ${run.status}: the node state needs a live run.`));
      return;
    }
    await this.refresh();
  }

  grow(run: RunView): void {
    const moved = run.labTimeNanos !== this.run?.labTimeNanos;
    this.run = run;
    if (moved && run.live && this.element.isConnected) this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.run || !this.node) return;
    const generation = ++this.generation; // only the latest answer is drawn (the node may have changed meanwhile)
    try {
      const [state, tcp] = await Promise.all([api.node(this.run.id, this.node),
        api.events(this.run.id, new URLSearchParams({ node: this.node, layer: 'tcp', limit: '1000' }))]);
      if (generation !== this.generation) return;
      this.render(state, tcp.items);
      this.stamp.textContent = `at t=${((state.labTimeNanos as number) / 1e9).toFixed(6)} s`;
    } catch (e) {
      if (generation === this.generation) replace(this.body, el('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  private render(s: Row, tcpEvents: StackEvent[]): void {
    const list = (k: string) => (Array.isArray(s[k]) ? (s[k] as Row[]) : []);
    const sockets = list('sockets');
    const dns = (s.dns ?? {}) as Row;
    const history = connectionHistory(tcpEvents);
    const now = (s.labTimeNanos as number) ?? 0;
    // each chart from its own first sample to now
    const span = (h: ConnectionHistory): [number, number] => {
      const t0 = Math.min(...h.series.map(x => x.points[0][0]));
      return [t0, Math.max(t0 + 1, now)];
    };
    const sections: [string, HTMLElement | null][] = [
      ['Interfaces', table(list('interfaces'), [['name', 'Name'], ['mac', 'MAC'], ['mtu', 'MTU'], ['addresses', 'Addresses', r => (r.addresses as string[]).join(', ')],
        ['rxFrames', 'RX frames'], ['rxBytes', 'RX bytes'], ['txFrames', 'TX frames'], ['txBytes', 'TX bytes']])],
      ['Routes', table(list('routes'), [['destination', 'Destination'], ['gateway', 'Gateway'], ['device', 'Device'], ['proto', 'Proto'], ['source', 'Source'], ['metric', 'Metric']])],
      ['ARP cache', table(list('arp'), [['ip', 'IP'], ['mac', 'MAC'], ['device', 'Device'], ['state', 'State'], ['queued', 'Queued']])],
      ['Sockets', table(sockets, [['protocol', 'Proto'], ['state', 'State'], ['local', 'Local'], ['remote', 'Remote'],
        ['receiveQueue', 'Recv-Q'], ['sendQueue', 'Send-Q'],
        ['synQueue', 'SYN queue', r => r.backlog === null ? '' : `${r.synQueue}/${r.backlog}`],
        ['acceptQueue', 'Accept queue', r => r.backlog === null ? '' : `${r.acceptQueue}/${r.backlog}`],
        ['cwnd', 'cwnd', r => (r.tcp as Row | null)?.cwnd], ['ssthresh', 'ssthresh', r => { const v = (r.tcp as Row | null)?.ssthresh; return v === 2147483647 ? '∞' : v; }],
        ['srtt', 'SRTT ms', r => ms((r.tcp as Row | null)?.srttNanos)], ['rto', 'RTO ms', r => ms((r.tcp as Row | null)?.rtoNanos)],
        ['retransmits', 'Retrans', r => (r.tcp as Row | null)?.retransmits]], { 'data-table': 'sockets' })],
      ['TCP over time', history.length ? el('div', { class: 'histories' }, ...history.map(h => el('div', { class: 'history' },
        el('div', { class: 'mono' }, `${h.key}, from t=${(span(h)[0] / 1e9).toFixed(3)} s`), ...h.series.map(x => chart(x, ...span(h)))))) : el('p', { class: 'muted' }, 'no TCP events yet')],
      ['DHCP leases', s.leases ? table(list('leases')) : null],
      ['DNS', el('div', {},
        el('p', {}, `Name servers: ${cell((dns.nameservers as string[] | undefined)?.join(', '))}${dns.search ? `; search ${cell(dns.search)}` : ''}`),
        Array.isArray(dns.stubCache) && dns.stubCache.length ? table(dns.stubCache as Row[]) : null,
        Array.isArray(dns.resolverCache) ? el('div', {}, el('h4', {}, 'Resolver cache'), table(dns.resolverCache as Row[],
          [['name', 'Name'], ['type', 'Type'], ['ttlLeft', 'TTL left'], ['trust', 'Trust'], ['records', 'Records', r => (r.records as string[] ?? []).join('\n')]])) : null)],
      ['Counters', table(Object.entries((s.counters ?? {}) as Row).map(([k, v]) => ({ counter: k, value: v })))],
    ];
    replace(this.body, el('h3', {}, `${cell(s.name)} (${cell(s.kind)})${s.forwarding ? ', forwarding' : ''}`),
      ...sections.filter(([, e]) => e).map(([title, e]) => el('section', { class: 'insp', 'data-section': title }, el('h4', {}, title), e)));
  }
}
