// A virtualized packet list like Wireshark's: only the rows in view (plus a few) are in the DOM,
// however many frames the run has; rows are fetched from the store as they scroll into view.
import type { FrameRow } from './api';
import { el, replace } from './dom';
import { FrameStore, destination, displayProtocol, source } from './frames';

export const ROW_HEIGHT = 20;
const OVERSCAN = 10;

export const COLUMNS: { key: string; title: string; cell: (r: FrameRow) => string }[] = [
  { key: 'no', title: 'No.', cell: r => String(r.seq) },
  { key: 'time', title: 'Time', cell: r => (r.timeNanos / 1e9).toFixed(6) },
  { key: 'segment', title: 'Segment', cell: r => r.segment },
  { key: 'src', title: 'Source', cell: source },
  { key: 'dst', title: 'Destination', cell: destination },
  { key: 'proto', title: 'Protocol', cell: displayProtocol },
  { key: 'len', title: 'Length', cell: r => String(r.length) },
  { key: 'info', title: 'Info', cell: r => r.info },
];

export class PacketList {
  readonly element: HTMLElement;
  readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private store: FrameStore | null = null;
  private selected = -1;
  private pendingRender = false;
  /** Viewport height when the element has none (not laid out, e.g. in jsdom). */
  fallbackHeight = 400;

  constructor(private readonly onSelect: (row: FrameRow, index: number) => void, private readonly onLoad: () => void = () => {}) {
    this.spacer = el('div', { class: 'pl-spacer' });
    this.body = el('div', { class: 'pl-body', role: 'rowgroup' });
    this.scroller = el('div', { class: 'pl-scroll', tabindex: 0, role: 'grid', 'aria-label': 'Packets',
      onscroll: () => this.schedule(), onkeydown: (e: Event) => this.key(e as KeyboardEvent) }, this.spacer, this.body);
    this.element = el('div', { class: 'packet-list' },
      el('div', { class: 'pl-head pl-row', role: 'row' }, ...COLUMNS.map(c => el('span', { class: `c-${c.key}`, role: 'columnheader' }, c.title))),
      this.scroller);
  }

  setStore(store: FrameStore): void {
    this.store = store;
    this.selected = -1;
    this.scroller.scrollTop = 0;
    this.render();
  }

  /** The rows [first, last] that are (or will be) in the DOM for the current scroll position. */
  window(): [number, number] {
    const count = this.store?.count() ?? 0;
    const height = this.scroller.clientHeight || this.fallbackHeight;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(count - 1, Math.ceil((this.scroller.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    return [first, last];
  }

  /** Re-renders on the next frame (scrolls and live growth come in bursts). */
  schedule(): void {
    if (this.pendingRender) return;
    this.pendingRender = true;
    const run = () => { this.pendingRender = false; this.render(); };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run); else setTimeout(run, 0);
  }

  /** Renders the window now, and fetches what it lacks (then renders again). */
  render(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    this.spacer.style.height = `${store.count() * ROW_HEIGHT}px`;
    const [first, last] = this.window();
    const rows: HTMLElement[] = [];
    let missing = false;
    for (let i = first; i <= last; i++) {
      const r = store.get(i);
      if (!r && !store.isHole(i)) missing = true;
      rows.push(this.row(i, r));
    }
    replace(this.body, ...rows);
    if (!missing) return Promise.resolve();
    return store.ensure(first, last).then(() => {
      if (this.store === store) {
        this.drawOnly();
        this.onLoad();
      }
    });
  }

  /** Re-draws without fetching (after a fetch). */
  private drawOnly(): void {
    const store = this.store!;
    this.spacer.style.height = `${store.count() * ROW_HEIGHT}px`;
    const [first, last] = this.window();
    const rows: HTMLElement[] = [];
    for (let i = first; i <= last; i++) rows.push(this.row(i, store.get(i)));
    replace(this.body, ...rows);
  }

  private row(i: number, r: FrameRow | undefined): HTMLElement {
    const style = `top:${i * ROW_HEIGHT}px`;
    if (!r && this.store?.isHole(i)) {
      return el('div', { class: 'pl-row pl-missing pl-dropped', style, 'data-index': i },
        el('span', { class: 'c-no' }, String(i)), el('span', { class: 'c-info' }, 'not stored (dropped by the ingest, counted in the run\'s status)'));
    }
    if (!r) {
      return el('div', { class: 'pl-row pl-missing', style, 'data-index': i }, el('span', { class: 'c-no' }, this.store?.dense ? String(i) : ''), el('span', { class: 'c-info' }, '…'));
    }
    const proto = displayProtocol(r);
    return el('div', {
      class: `pl-row p-${proto.toLowerCase()}${i === this.selected ? ' selected' : ''}`, style, role: 'row',
      'data-index': i, 'data-seq': r.seq, 'aria-selected': i === this.selected ? 'true' : 'false',
      onclick: () => this.select(i),
    }, ...COLUMNS.map(c => el('span', { class: `c-${c.key}`, role: 'gridcell' }, c.cell(r))));
  }

  select(i: number): void {
    const r = this.store?.get(i);
    if (!r) return;
    this.selected = i;
    this.drawOnly();
    this.onSelect(r, i);
  }

  /** Scrolls so that row i is in view. */
  reveal(i: number): void {
    const height = this.scroller.clientHeight || this.fallbackHeight;
    const top = i * ROW_HEIGHT;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + height) this.scroller.scrollTop = top + ROW_HEIGHT - height;
  }

  scrollToEnd(): void {
    this.scroller.scrollTop = (this.store?.count() ?? 0) * ROW_HEIGHT;
    this.schedule();
  }

  private key(e: KeyboardEvent): void {
    const count = this.store?.count() ?? 0;
    const page = Math.max(1, Math.floor((this.scroller.clientHeight || this.fallbackHeight) / ROW_HEIGHT) - 1);
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (!(e.key in step)) return;
    e.preventDefault();
    const target = Math.max(0, Math.min(count - 1, this.selected + step[e.key]));
    if (!Number.isFinite(target)) return;
    this.reveal(target);
    this.render().then(() => this.select(target));
  }
}
