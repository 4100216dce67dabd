// Frames as the packet list needs them: filters as query strings, the protocol a person reads, and
// a store that pages through a run's frames with the API's cursor, never loading them all.
import type { FrameRow, Page } from './api';

export interface FrameFilter {
  protocol?: string; segment?: string; node?: string; address?: string; l4port?: string; text?: string; conversation?: string;
}

/**
 * Application protocols the stored summary does not name (it ends at udp/tcp), selected by their
 * well-known ports as Wireshark's default dissector table does: DNS 53 (RFC 1035 section 4.2),
 * DHCP 67/68 (RFC 2131 section 4.1), HTTP 80.
 */
const BY_PORT: Record<string, { l4: string; port: number }> = {
  dns: { l4: 'udp', port: 53 },
  dhcp: { l4: 'udp', port: 67 },
  bootp: { l4: 'udp', port: 67 },
  http: { l4: 'tcp', port: 80 },
};

/** The query string of a filter (empty fields left out), plus the page's cursor and size. */
export function filterQuery(f: FrameFilter, after?: number | null, limit?: number): URLSearchParams {
  const q = new URLSearchParams();
  const proto = f.protocol?.trim().toLowerCase();
  const byPort = proto ? BY_PORT[proto] : undefined;
  if (byPort) {
    q.set('protocol', byPort.l4);
    q.set('l4port', String(byPort.port));
  } else if (proto) {
    q.set('protocol', proto);
  }
  for (const k of ['segment', 'node', 'address', 'text', 'conversation'] as const) {
    const v = f[k]?.trim();
    if (v) q.set(k, v);
  }
  const port = f.l4port?.trim();
  if (port) q.set('l4port', port); // an explicit port wins over the protocol's
  if (after !== undefined && after !== null) q.set('after', String(after));
  if (limit !== undefined) q.set('limit', String(limit));
  return q;
}

export function isFiltered(f: FrameFilter): boolean {
  return Object.values(f).some(v => typeof v === 'string' && v.trim() !== '');
}

function hasPort(r: FrameRow, port: number): boolean {
  return r.srcPort === port || r.dstPort === port;
}

/** The payload length of a TCP segment, from the summary's "length N". */
function tcpPayload(r: FrameRow): number {
  const m = /length (\d+)/.exec(r.info);
  return m ? Number(m[1]) : 0;
}

/** The protocol column: the highest layer, application protocols by well-known port. */
export function displayProtocol(r: FrameRow): string {
  const top = r.protocols[r.protocols.length - 1] ?? '?';
  if (top === 'udp') {
    if (hasPort(r, 53)) return 'DNS';
    if (hasPort(r, 67) || hasPort(r, 68)) return 'DHCP';
  }
  if (top === 'tcp') {
    if (hasPort(r, 53) && tcpPayload(r) > 0) return 'DNS';
    if (hasPort(r, 80) && tcpPayload(r) > 0) return 'HTTP';
  }
  if (top === 'eth') return 'ETH';
  return top.toUpperCase();
}

export function source(r: FrameRow): string {
  return r.srcIp ?? r.srcMac ?? '';
}

export function destination(r: FrameRow): string {
  return r.dstIp ?? r.dstMac ?? '';
}

export type PageFetcher = (query: URLSearchParams) => Promise<Page<FrameRow>>;

/**
 * A run's frames for a virtualized list. Unfiltered, row i is frame seq i (sequence numbers count
 * from 0), so any row is one request away: chunks are fetched with after=start-1, and at most
 * maxChunks stay in memory. Filtered, rows are whatever matches, read page after page with the
 * cursor as the list scrolls towards its end.
 */
export class FrameStore {
  static readonly CHUNK = 200;
  readonly dense: boolean;
  private readonly rows = new Map<number, FrameRow>();
  private readonly chunks = new Map<number, { complete: boolean }>(); // insertion order = LRU order
  private readonly loading = new Map<number, Promise<void>>();
  private list: FrameRow[] = [];
  private cursor: number | null = null;
  private done = false;
  private total = 0;
  private listLoading: Promise<void> | null = null;

  constructor(private readonly fetch: PageFetcher, readonly filter: FrameFilter, private live: boolean,
              total = 0, private readonly maxChunks = 50) {
    this.dense = !isFiltered(filter);
    this.total = total;
  }

  /** Rows the list has room for: every frame so far, or the matches read so far (+1 while more may come). */
  count(): number {
    return this.dense ? this.total : this.list.length + (this.done ? 0 : 1);
  }

  get(i: number): FrameRow | undefined {
    return this.dense ? this.rows.get(i) : this.list[i];
  }

  /** Whether row i was read and has no frame: a sequence number the ingest dropped (counted, never stored). */
  isHole(i: number): boolean {
    if (!this.dense || this.rows.has(i)) return false;
    return this.chunks.get(Math.floor(i / FrameStore.CHUNK))?.complete === true;
  }

  /** The frames of a live run grew (or it ended): lets the list grow and re-reads the tail. */
  grow(total: number, live: boolean): void {
    this.live = live;
    if (this.dense) {
      if (total > this.total) {
        this.total = total;
        for (const [c, s] of this.chunks) if (!s.complete) this.chunks.delete(c);
      }
    } else if (live || total > this.total) {
      this.total = total;
      this.done = false;
    }
  }

  /** Loads what rows from..to (inclusive) need; resolves when they are there. */
  async ensure(from: number, to: number): Promise<void> {
    if (this.dense) {
      const first = Math.floor(Math.max(0, from) / FrameStore.CHUNK);
      const last = Math.floor(Math.max(0, Math.min(to, this.total - 1)) / FrameStore.CHUNK);
      const waits: Promise<void>[] = [];
      for (let c = first; c <= last && c * FrameStore.CHUNK < this.total; c++) waits.push(this.chunk(c));
      await Promise.all(waits);
    } else {
      while (!this.done && to >= this.list.length - 1) {
        const before = this.list.length;
        await this.nextPage();
        if (this.list.length === before) break;
      }
    }
  }

  private chunk(c: number): Promise<void> {
    const have = this.chunks.get(c);
    if (have) {
      this.chunks.delete(c); // most recently used goes last
      this.chunks.set(c, have);
      return Promise.resolve();
    }
    const pending = this.loading.get(c);
    if (pending) return pending;
    const start = c * FrameStore.CHUNK;
    const p = this.fetch(filterQuery({}, start - 1, FrameStore.CHUNK)).then(page => {
      const end = start + FrameStore.CHUNK;
      for (const r of page.items) if (r.seq < end) this.rows.set(r.seq, r);
      const last = page.items.length ? page.items[page.items.length - 1].seq : -1;
      // Complete when the page reached past the chunk, or when the run can get no more frames.
      this.chunks.set(c, { complete: page.nextCursor !== null || last >= end - 1 || !this.live });
      this.evict();
    }).finally(() => this.loading.delete(c));
    this.loading.set(c, p);
    return p;
  }

  private evict(): void {
    while (this.chunks.size > this.maxChunks) {
      const oldest = this.chunks.keys().next().value as number;
      this.chunks.delete(oldest);
      const start = oldest * FrameStore.CHUNK;
      for (let s = start; s < start + FrameStore.CHUNK; s++) this.rows.delete(s);
    }
  }

  private nextPage(): Promise<void> {
    if (!this.listLoading) {
      this.listLoading = this.fetch(filterQuery(this.filter, this.cursor ?? this.lastSeq(), 500)).then(page => {
        this.list.push(...page.items);
        if (page.nextCursor !== null) {
          this.cursor = page.nextCursor;
        } else {
          // The end for now: grow() reopens it when a live run gets more frames.
          this.cursor = null;
          this.done = true;
        }
      }).finally(() => { this.listLoading = null; });
    }
    return this.listLoading;
  }

  private lastSeq(): number | null {
    return this.list.length ? this.list[this.list.length - 1].seq : null;
  }

  /** Rows loaded now (for tests and the status line). */
  loaded(): number {
    return this.dense ? this.rows.size : this.list.length;
  }
}
