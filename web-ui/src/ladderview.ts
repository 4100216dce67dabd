// The Ladder view: the network-wide sequence diagram of a window of the run (500 frames and the
// events meanwhile), or of one conversation; zoom, event layers, click an arrow to open its frame.
import { api, type Conversation, type FrameRow, type LabView, type RunView, type StackEvent } from './api';
import { el, replace } from './dom';
import { FrameDetailView } from './framedetail';
import { filterQuery } from './frames';
import { arrowLabel, eventLabel, layoutLadder, type Ladder } from './ladder';

const SVG = 'http://www.w3.org/2000/svg';
const FRAMES_PER_WINDOW = 500;
const MAX_EVENTS = 5000;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export class LadderView {
  readonly element: HTMLElement;
  private readonly head = el('div', { class: 'ld-head' });
  private readonly canvas = el('div', { class: 'ld-canvas', tabindex: 0, 'aria-label': 'Ladder diagram' });
  private readonly detail = new FrameDetailView();
  private readonly side = el('aside', { class: 'ld-side' });
  private readonly conv = el('select', { name: 'conversation', 'aria-label': 'Conversation' });
  private readonly layers = el('span', { class: 'ld-layers' });
  private readonly info = el('span', { class: 'muted' });
  private readonly hidden = new Set<string>();
  private readonly packetsLink = el('a', { class: 'ld-open', hidden: true }, 'In the packet list');
  private run: RunView | null = null;
  private lab: LabView | null = null;
  private frames: FrameRow[] = [];
  private events: StackEvent[] = [];
  private after: number | null = null;
  private history: (number | null)[] = [];
  private nextCursor: number | null = null;
  private rowHeight = 18;
  private laneWidth = 0;

  constructor() {
    this.conv.addEventListener('change', () => { this.after = null; this.history = []; this.load(); });
    const zoom = (dy: number, dx: number) => () => {
      this.rowHeight = Math.max(8, Math.min(40, this.rowHeight + dy));
      this.laneWidth = Math.max(50, Math.min(300, (this.laneWidth || 100) + dx));
      this.draw();
    };
    this.canvas.addEventListener('keydown', e => {
      if (e.key === '+' || e.key === '=') zoom(2, 10)();
      if (e.key === '-') zoom(-2, -10)();
    });
    this.element = el('section', { class: 'view ladder' },
      el('div', { class: 'ld-bar' },
        el('label', {}, 'Conversation ', this.conv),
        el('button', { name: 'earlier', onclick: () => this.page(-1) }, '◀ Earlier'),
        el('button', { name: 'later', onclick: () => this.page(1) }, 'Later ▶'),
        el('button', { name: 'zoom-in', title: 'Zoom in (+)', onclick: zoom(3, 15) }, '+'),
        el('button', { name: 'zoom-out', title: 'Zoom out (-)', onclick: zoom(-3, -15) }, '−'),
        this.layers, this.info),
      el('div', { class: 'ld-main' }, el('div', { class: 'ld-scroll' }, this.head, this.canvas), this.side));
    replace(this.side, el('p', { class: 'muted' }, 'Click an arrow (or Tab to it, Enter) to open its frame. ', this.packetsLink), this.detail.element);
  }

  async setRun(run: RunView): Promise<void> {
    const changed = this.run?.id !== run.id;
    const grew = this.run?.frames.captured !== run.frames.captured || this.run?.events.captured !== run.events.captured;
    this.run = run;
    if (!changed && this.lab) {
      if (grew) await this.load(); // shown again after the run went on
      return;
    }
    this.lab = await api.lab(run.labId);
    this.after = null;
    this.history = [];
    await this.loadConversations();
    await this.load();
  }

  grow(run: RunView): void {
    // the status poll: the window is re-read when the view is shown again (setRun), or followed
    if (!this.element.isConnected) return;
    this.run = run;
  }

  private async loadConversations(): Promise<void> {
    if (!this.run) return;
    const convs: Conversation[] = await api.conversations(this.run.id);
    replace(this.conv, el('option', { value: '' }, 'all traffic'),
      ...convs.map(c => el('option', { value: c.key }, `${c.key} (${c.frames})`)));
  }

  private async page(direction: number): Promise<void> {
    if (direction > 0) {
      if (this.nextCursor === null) return;
      this.history.push(this.after);
      this.after = this.nextCursor;
    } else {
      if (!this.history.length) return;
      this.after = this.history.pop()!;
    }
    await this.load();
  }

  /** The frames of the window and the events of its time span. */
  private async load(): Promise<void> {
    const run = this.run;
    if (!run) return;
    const key = this.conv.value;
    let frames: FrameRow[];
    let events: StackEvent[];
    if (key) {
      const c = await fetch(`/api/runs/${run.id}/conversation?key=${encodeURIComponent(key)}&limit=${FRAMES_PER_WINDOW}${this.after !== null ? `&after=${this.after}` : ''}`)
        .then(r => r.json()) as { frames: FrameRow[]; nextFrameCursor: number | null; events: StackEvent[] };
      frames = c.frames;
      events = c.events;
      this.nextCursor = c.nextFrameCursor;
    } else {
      const page = await api.frames(run.id, filterQuery({}, this.after, FRAMES_PER_WINDOW));
      frames = page.items;
      this.nextCursor = page.nextCursor;
      events = [];
      if (frames.length) {
        const from = this.after === null ? 0 : frames[0].timeNanos;
        const to = this.nextCursor === null ? undefined : frames[frames.length - 1].timeNanos + 1;
        let cursor: number | null = null;
        do {
          const q = new URLSearchParams({ from: String(from), limit: '1000' });
          if (to !== undefined) q.set('to', String(to));
          if (cursor !== null) q.set('after', String(cursor));
          const p = await api.events(run.id, q);
          events.push(...p.items);
          cursor = p.nextCursor;
        } while (cursor !== null && events.length < MAX_EVENTS);
      }
    }
    this.frames = frames;
    this.events = events;
    this.drawLayerToggles();
    this.draw();
  }

  private drawLayerToggles(): void {
    const layers = [...new Set(this.events.map(e => e.layer))].sort();
    replace(this.layers, 'Events: ', ...layers.map(l => {
      const box = el('input', { type: 'checkbox', name: `layer-${l}`, checked: !this.hidden.has(l) });
      box.addEventListener('change', () => { if (box.checked) this.hidden.delete(l); else this.hidden.add(l); this.draw(); });
      return el('label', { class: 'ld-layer' }, box, l);
    }));
  }

  /** The ladder of what is loaded. */
  layout(): Ladder | null {
    if (!this.lab || !this.run) return null;
    const macs = new Map<string, string>();
    for (const n of this.run.nodes) for (const i of n.interfaces) macs.set(i.mac, n.name);
    return layoutLadder(this.lab.topology, this.frames, this.events.filter(e => !this.hidden.has(e.layer)), macs);
  }

  private draw(): void {
    const ladder = this.layout();
    if (!ladder) return;
    const gutter = 80;
    const width = this.canvas.parentElement?.clientWidth || 1000;
    const lw = this.laneWidth || Math.max(70, Math.floor((width - gutter - 20) / Math.max(1, ladder.lanes.length)));
    const rh = this.rowHeight;
    const x = (lane: number) => gutter + lane * lw + lw / 2;
    const totalW = gutter + ladder.lanes.length * lw + 10;
    const totalH = ladder.rows.length * rh + 10;
    const s = svg('svg', { width: totalW, height: totalH, class: 'ld-svg', role: 'img' });
    const defs = svg('defs', {});
    const marker = svg('marker', { id: 'ld-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'ld-head-mark' }));
    defs.appendChild(marker);
    s.appendChild(defs);
    ladder.lanes.forEach((_, i) => s.appendChild(svg('line', { x1: x(i), y1: 0, x2: x(i), y2: totalH, class: 'ld-lane' })));
    ladder.rows.forEach((row, r) => {
      const y = r * rh + rh / 2 + 4;
      if (row.type === 'event') {
        const g = svg('g', { class: `ld-event l-${row.event.layer}`, 'data-node': row.event.node, 'data-layer': row.event.layer, 'data-kind': row.event.kind, 'data-seq': row.event.seq });
        g.appendChild(svg('title', {}, `${(row.event.timeNanos / 1e9).toFixed(6)} s ${row.event.node} ${row.event.layer}/${row.event.kind} ${JSON.stringify(row.event.detail)}`));
        g.appendChild(svg('circle', { cx: x(row.lane), cy: y, r: Math.min(4, rh / 3) }));
        if (rh >= 12) g.appendChild(svg('text', { x: x(row.lane) + 6, y: y + 4, class: 'ld-elabel' }, eventLabel(row.event)));
        s.appendChild(g);
        return;
      }
      const f = row.frame;
      const proto = arrowLabel(f).split(' ')[0];
      const g = svg('g', { class: `ld-frame p-${proto.toLowerCase()}`, 'data-seq': f.seq, 'data-from': ladder.lanes[row.from],
        'data-to': row.to.map(i => ladder.lanes[i]).join(','), 'data-proto': proto, 'data-segment': f.segment, tabindex: 0 });
      g.appendChild(svg('title', {}, `#${f.seq} ${(f.timeNanos / 1e9).toFixed(6)} s on ${f.segment}: ${f.info}`));
      if (rh >= 10) g.appendChild(svg('text', { x: 4, y: y + 4, class: 'ld-time' }, (f.timeNanos / 1e9).toFixed(4)));
      const targets = row.to.length ? row.to : [row.from];
      const left = Math.min(row.from, ...targets);
      const right = Math.max(row.from, ...targets);
      // a hit area the width of the row, so that a thin arrow is easy to click
      g.appendChild(svg('rect', { x: x(left) - 4, y: y - rh / 2, width: Math.max(8, x(right) - x(left) + 8), height: rh, class: 'ld-hit' }));
      if (row.broadcast) {
        for (const t of targets) g.appendChild(svg('circle', { cx: x(t), cy: y, r: 2.5, class: 'ld-bdot' }));
        if (left !== row.from) g.appendChild(svg('line', { x1: x(row.from), y1: y, x2: x(left), y2: y, class: 'ld-arrow broadcast', 'marker-end': 'url(#ld-arrow)' }));
        if (right !== row.from) g.appendChild(svg('line', { x1: x(row.from), y1: y, x2: x(right), y2: y, class: 'ld-arrow broadcast', 'marker-end': 'url(#ld-arrow)' }));
      } else if (row.to.length) {
        g.appendChild(svg('line', { x1: x(row.from), y1: y, x2: x(row.to[0]), y2: y, class: 'ld-arrow', 'marker-end': 'url(#ld-arrow)' }));
      }
      if (rh >= 12) {
        // the label starts above the arrow's tail end, inside the diagram
        g.appendChild(svg('text', { x: Math.max(gutter, x(left) + 6), y: y - 2, class: 'ld-flabel' }, arrowLabel(f, Math.max(24, Math.floor((x(right) - x(left) + lw) / 6.2)))));
      }
      const open = () => this.open(f, g);
      g.addEventListener('click', open);
      g.addEventListener('keydown', e => { if ((e as KeyboardEvent).key === 'Enter') open(); });
      s.appendChild(g);
    });
    replace(this.canvas, s);
    replace(this.head, ...ladder.lanes.map((n, i) => el('span', { class: 'ld-lanename', style: `left:${x(i) - lw / 2}px;width:${lw}px`, 'data-lane': n }, n)));
    this.head.style.width = `${totalW}px`;
    const evCount = ladder.rows.filter(r => r.type === 'event').length;
    this.info.textContent = `${this.frames.length} frames${this.frames.length ? ` #${this.frames[0].seq}–#${this.frames[this.frames.length - 1].seq}` : ''}, ${evCount} events shown`;
  }

  /** Step mode: the cursor's row marked and scrolled to; a frame beyond the window opens a window from it. */
  async follow(item: import('./stepper').TraceItem): Promise<void> {
    if (!this.element.isConnected) return;
    const sel = item.type === 'frame' ? `.ld-frame[data-seq="${item.frame.seq}"]` : `.ld-event[data-seq="${item.event.seq}"]`;
    let g = this.canvas.querySelector(sel);
    if (!g) {
      // new since the window was read (time passed), or beyond it
      const last = this.frames[this.frames.length - 1];
      if (item.type === 'frame' && !this.conv.value && this.nextCursor !== null && last && item.frame.seq > last.seq) {
        this.history.push(this.after);
        this.after = item.frame.seq - 1;
      }
      await this.load();
      g = this.canvas.querySelector(sel);
    }
    for (const c of this.canvas.querySelectorAll('.cursor')) c.classList.remove('cursor');
    if (!g) return;
    g.classList.add('cursor');
    (g as Element).scrollIntoView?.({ block: 'center', inline: 'nearest' });
  }

  private async open(f: FrameRow, g: SVGGElement): Promise<void> {
    if (!this.run) return;
    for (const s of this.canvas.querySelectorAll('.ld-frame.selected')) s.classList.remove('selected');
    g.classList.add('selected');
    this.packetsLink.hidden = false;
    this.packetsLink.textContent = `Frame #${f.seq} in the packet list`;
    this.packetsLink.href = `#/runs/${this.run.id}/packets`;
    this.packetsLink.onclick = () => sessionStorage.setItem('wirelab.seq', String(f.seq));
    try {
      this.detail.show(await api.frame(this.run.id, f.seq));
    } catch (e) {
      this.detail.error(e instanceof Error ? e.message : String(e));
    }
  }
}
