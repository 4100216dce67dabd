// The Packets view: filters, the virtualized list, and the selected frame's layers and bytes.
import { api, ApiError, type FrameRow, type RunView } from './api';
import { el, replace } from './dom';
import { FrameDetailView } from './framedetail';
import { FrameStore, type FrameFilter } from './frames';
import { PacketList } from './packetlist';

export class PacketsView {
  readonly element: HTMLElement;
  private readonly list: PacketList;
  private readonly detail = new FrameDetailView();
  private readonly status = el('span', { class: 'muted pv-status' });
  private readonly inputs: Record<keyof FrameFilter, HTMLInputElement>;
  private readonly followLive = el('input', { type: 'checkbox', id: 'pv-follow' });
  private readonly pcap = el('a', { class: 'button', download: true }, 'pcapng');
  private readonly conversations = el('datalist', { id: 'pv-conversations' });
  private store: FrameStore | null = null;
  private live: EventSource | null = null;
  private run: RunView | null = null;
  private maxSeq = -1;

  constructor(initial: FrameFilter = {}) {
    this.list = new PacketList(row => this.open(row), () => this.updateStatus());
    const input = (k: keyof FrameFilter, label: string, placeholder: string, width = 8) =>
      el('input', { name: k, 'aria-label': label, placeholder, size: width, value: initial[k] ?? '' });
    this.inputs = {
      protocol: input('protocol', 'Protocol', 'protocol: tcp, dns...'),
      segment: input('segment', 'Segment', 'segment', 7),
      node: input('node', 'Node', 'node', 7),
      address: input('address', 'Address', 'address / CIDR', 12),
      l4port: input('l4port', 'Port', 'port', 5),
      text: input('text', 'Text in info', 'text in info', 12),
      conversation: input('conversation', 'Conversation', 'conversation key', 16),
    };
    // the run's conversations to pick from (GET /conversations)
    this.inputs.conversation.setAttribute('list', 'pv-conversations');
    const form = el('form', { class: 'pv-filters', onsubmit: (e: Event) => { e.preventDefault(); this.reload(); } },
      ...Object.values(this.inputs), el('button', { type: 'submit' }, 'Apply'),
      el('button', { type: 'button', onclick: () => { for (const i of Object.values(this.inputs)) i.value = ''; this.reload(); } }, 'Clear'),
      el('label', { for: 'pv-follow' }, this.followLive, ' follow'), this.pcap, this.status, this.conversations);
    this.followLive.addEventListener('change', () => { if (this.followLive.checked) this.list.scrollToEnd(); });
    this.element = el('section', { class: 'view packets' }, form, this.list.element, this.detail.element);
  }

  filter(): FrameFilter {
    const f: FrameFilter = {};
    for (const [k, i] of Object.entries(this.inputs)) if (i.value.trim()) f[k as keyof FrameFilter] = i.value.trim();
    return f;
  }

  setFilter(f: FrameFilter): void {
    for (const [k, i] of Object.entries(this.inputs)) i.value = f[k as keyof FrameFilter] ?? '';
    this.reload();
  }

  /** Shows a run (again), keeping the filter. */
  setRun(run: RunView): void {
    const same = this.run?.id === run.id;
    this.run = run;
    const seq = sessionStorage.getItem('wirelab.seq');
    if (seq !== null) {
      sessionStorage.removeItem('wirelab.seq');
      // opened from the ladder: the frame selected in the unfiltered list
      for (const i of Object.values(this.inputs)) i.value = '';
      if (!same || !this.store || !this.store.dense) this.reload();
      const n = Number(seq);
      queueMicrotask(() => this.follow({ type: 'frame', frame: { seq: n } as FrameRow }));
      return;
    }
    const segment = sessionStorage.getItem('wirelab.segment');
    if (segment !== null) {
      sessionStorage.removeItem('wirelab.segment');
      this.inputs.segment.value = segment;
      this.reload();
    } else if (!same || !this.store) {
      this.reload();
    } else {
      this.grow(run);
    }
  }

  /** The run's status changed (polled): more frames, or it stopped. */
  grow(run: RunView): void {
    this.run = run;
    if (!this.store) return;
    this.store.grow(Math.max(run.frames.captured, this.maxSeq + 1), run.live);
    if (!run.live) this.closeLive();
    this.list.schedule();
    if (this.followLive.checked) this.list.scrollToEnd();
    this.updateStatus();
  }

  private reload(): void {
    const run = this.run;
    if (!run) return;
    const f = this.filter();
    const id = run.id;
    this.maxSeq = -1;
    this.store = new FrameStore(q => api.frames(id, q), f, run.live, run.frames.captured);
    this.list.setStore(this.store);
    this.detail.clear();
    // The capture endpoint cuts by segment (and time), not by the list's other filters.
    this.pcap.href = api.captureUrl(id, f.segment ? new URLSearchParams({ segment: f.segment }) : undefined);
    this.pcap.textContent = f.segment ? `pcapng (${f.segment})` : 'pcapng';
    this.closeLive();
    if (run.live) this.openLive(id);
    this.updateStatus();
    api.conversations(id).then(cs => replace(this.conversations, ...cs.map(c => el('option', { value: c.key }, `${c.frames} frames`))))
      .catch(() => { /* the list works without */ });
  }

  private openLive(id: number): void {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource(`/api/runs/${id}/live?events=false`);
    es.addEventListener('frame', e => {
      const f = JSON.parse((e as MessageEvent).data) as { seq: number };
      if (f.seq > this.maxSeq) this.maxSeq = f.seq;
      if (this.run && this.store) {
        this.store.grow(Math.max(this.run.frames.captured, this.maxSeq + 1), true);
        this.list.schedule();
        if (this.followLive.checked) this.list.scrollToEnd();
      }
    });
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) this.closeLive(); };
    this.live = es;
  }

  private closeLive(): void {
    this.live?.close();
    this.live = null;
  }

  private updateStatus(): void {
    const s = this.store;
    if (!s || !this.run) return;
    this.status.textContent = s.dense ? `${s.count()} frames` : `${s.loaded()} matching frames loaded`;
  }

  private async open(row: FrameRow): Promise<void> {
    if (!this.run) return;
    try {
      this.detail.show(await api.frame(this.run.id, row.seq));
    } catch (e) {
      this.detail.error(e instanceof ApiError ? e.message : String(e));
    }
  }

  /** Step mode: the cursor's frame selected (unfiltered list: row = sequence number). */
  follow(item: import('./stepper').TraceItem): void {
    if (item.type !== 'frame' || !this.store?.dense || !this.element.isConnected) return;
    const seq = item.frame.seq;
    this.store.grow(seq + 1, this.run?.live ?? false);
    this.list.reveal(seq);
    this.list.render().then(() => this.list.select(seq));
  }

  dispose(): void {
    this.closeLive();
  }
}
