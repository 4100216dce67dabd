import type { FrameRow, Page } from './api';
import { FrameDetailView, fieldBytes, payloadText } from './framedetail';
import { FrameStore, displayProtocol, filterQuery } from './frames';
import { PacketList, ROW_HEIGHT } from './packetlist';

function row(seq: number, over: Partial<FrameRow> = {}): FrameRow {
  return {
    seq, timeNanos: seq * 1_000_000, segment: 'lan', ingressPort: 'pc1:eth0', ingressNode: 'pc1', length: 60,
    protocols: ['eth', 'ipv4', 'udp'], srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', srcIp: '10.0.0.1',
    dstIp: '10.0.0.2', ipProtocol: 17, srcPort: 1000, dstPort: 2000, flags: null, conversation: null, info: `frame ${seq}`,
    ...over,
  };
}

/** A run of `total` frames behind the API's paging contract (after = exclusive cursor, limit + nextCursor). */
function server(total: number, match: (r: FrameRow) => boolean = () => true) {
  const queries: URLSearchParams[] = [];
  const fetch = async (q: URLSearchParams): Promise<Page<FrameRow>> => {
    queries.push(q);
    const after = q.has('after') ? Number(q.get('after')) : -1;
    const limit = Number(q.get('limit') ?? 100);
    const items: FrameRow[] = [];
    for (let s = after + 1; s < total && items.length <= limit; s++) {
      const r = row(s);
      if (match(r)) items.push(r);
    }
    return items.length > limit ? { items: items.slice(0, limit), nextCursor: items[limit - 1].seq } : { items, nextCursor: null };
  };
  return { fetch, queries };
}

function scrollTo(list: PacketList, top: number) {
  Object.defineProperty(list.scroller, 'scrollTop', { value: top, writable: true, configurable: true });
}

describe('filters to query strings', () => {
  it('leaves empty fields out and trims the rest', () => {
    expect(filterQuery({ node: ' pc1 ', address: '', text: 'who-has' }).toString()).toBe('node=pc1&text=who-has');
  });

  it('maps application protocols to their transport and well-known port', () => {
    expect(filterQuery({ protocol: 'DNS' }).toString()).toBe('protocol=udp&l4port=53');
    expect(filterQuery({ protocol: 'dhcp' }).toString()).toBe('protocol=udp&l4port=67');
    expect(filterQuery({ protocol: 'http' }).toString()).toBe('protocol=tcp&l4port=80');
    expect(filterQuery({ protocol: 'arp' }).toString()).toBe('protocol=arp');
    // an explicit port wins over the protocol's
    expect(filterQuery({ protocol: 'http', l4port: '8080' }).get('l4port')).toBe('8080');
  });

  it('carries every filter, the cursor and the page size', () => {
    const q = filterQuery({ protocol: 'tcp', node: 'r1', address: '10.0.0.0/8', l4port: '80', text: 'SYN',
      conversation: 'tcp 10.0.0.1:80 <-> 10.0.0.2:5000' }, 41, 500);
    expect(Object.fromEntries(q)).toEqual({ protocol: 'tcp', node: 'r1', address: '10.0.0.0/8', l4port: '80', text: 'SYN',
      conversation: 'tcp 10.0.0.1:80 <-> 10.0.0.2:5000', after: '41', limit: '500' });
  });

  it('a filtered list pages with the filter and the cursor of the last page', async () => {
    const s = server(5000, r => r.seq % 7 === 0);
    const store = new FrameStore(s.fetch, { protocol: 'udp', node: 'pc1' }, false);
    const list = new PacketList(() => {});
    list.setStore(store);
    await list.render();
    expect(s.queries[0].get('protocol')).toBe('udp');
    expect(s.queries[0].get('node')).toBe('pc1');
    expect(s.queries[0].has('after')).toBe(false);
    expect(store.loaded()).toBe(500);
    // scrolling to the end of what is loaded reads the next page after its last frame
    scrollTo(list, 495 * ROW_HEIGHT);
    await list.render();
    expect(s.queries[1].get('after')).toBe(String(499 * 7));
    expect(s.queries[1].get('node')).toBe('pc1');
    expect(store.get(500)!.seq).toBe(500 * 7);
  });
});

describe('the virtualized packet list', () => {
  it('has only the rows in view in the DOM, for a run of 100k frames', async () => {
    const s = server(100_000);
    const list = new PacketList(() => {});
    list.fallbackHeight = 400; // 20 rows of 20 px
    list.setStore(new FrameStore(s.fetch, {}, false, 100_000));
    await list.render();
    const rows = list.element.querySelectorAll('.pl-body .pl-row');
    expect(rows.length).toBeLessThanOrEqual(20 + 2 * 10 + 2);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect((list.element.querySelector('.pl-spacer') as HTMLElement).style.height).toBe(`${100_000 * ROW_HEIGHT}px`);
    expect(rows[0].querySelector('.c-no')!.textContent).toBe('0');
    // one page read, not the run
    expect(s.queries).toHaveLength(1);
    expect(s.queries[0].get('limit')).toBe(String(FrameStore.CHUNK));
  });

  it('jumps into the middle with one request after the row before', async () => {
    const s = server(100_000);
    const list = new PacketList(() => {});
    list.setStore(new FrameStore(s.fetch, {}, false, 100_000));
    await list.render();
    scrollTo(list, 50_000 * ROW_HEIGHT);
    list.schedule();
    await new Promise(r => setTimeout(r, 30));
    await list.render();
    const nos = [...list.element.querySelectorAll('.pl-body .pl-row .c-no')].map(e => Number(e.textContent));
    expect(nos[0]).toBe(50_000 - 10);
    expect(nos).toContain(50_019);
    expect(s.queries.map(q => q.get('after'))).toContain(String(Math.floor(49_990 / FrameStore.CHUNK) * FrameStore.CHUNK - 1));
    expect(list.element.querySelectorAll('.pl-body .pl-row').length).toBeLessThan(45);
  });

  it('keeps a bounded number of rows in memory however far one scrolls', async () => {
    const s = server(100_000);
    const store = new FrameStore(s.fetch, {}, false, 100_000, 5);
    const list = new PacketList(() => {});
    list.setStore(store);
    for (let top = 0; top < 100_000; top += 7_000) {
      scrollTo(list, top * ROW_HEIGHT);
      await list.render();
    }
    expect(store.loaded()).toBeLessThanOrEqual(5 * FrameStore.CHUNK);
  });

  it('grows with a live run and re-reads the last chunk', async () => {
    const s = server(30);
    const store = new FrameStore(s.fetch, {}, true, 30);
    const list = new PacketList(() => {});
    list.setStore(store);
    await list.render();
    expect(list.element.querySelectorAll('.pl-body .pl-row:not(.pl-missing)').length).toBe(30);
    const more = server(45);
    (store as unknown as { fetch: typeof more.fetch }).fetch = more.fetch;
    store.grow(45, true);
    await list.render();
    // 400 px: rows 0..19 in view and 10 below, so row 30 (new) is drawn too
    expect(list.element.querySelectorAll('.pl-body .pl-row:not(.pl-missing)').length).toBe(31);
    expect(list.element.querySelector('.pl-row[data-seq="30"]')).not.toBeNull();
    expect(more.queries[0].get('after')).toBe('-1');
  });

  it('marks sequence numbers the ingest dropped, once read, instead of waiting for them', async () => {
    const s = server(100);
    const holes = async (q: URLSearchParams) => { const p = await s.fetch(q); return { ...p, items: p.items.filter(r => r.seq % 10 !== 3) }; };
    const list = new PacketList(() => {});
    list.setStore(new FrameStore(holes, {}, false, 100));
    await list.render();
    expect(list.element.querySelector('.pl-row.pl-dropped[data-index="3"]')).not.toBeNull();
    expect(list.element.querySelectorAll('.pl-row.pl-missing:not(.pl-dropped)').length).toBe(0);
    await list.render(); // nothing left to fetch
    expect(s.queries).toHaveLength(1);
  });

  it('selecting a row (click or keys) reports its frame', async () => {
    const s = server(100);
    const picked: number[] = [];
    const list = new PacketList(r => picked.push(r.seq));
    list.setStore(new FrameStore(s.fetch, {}, false, 100));
    await list.render();
    (list.element.querySelector('.pl-row[data-seq="3"]') as HTMLElement).click();
    list.scroller.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown' }));
    await new Promise(r => setTimeout(r, 0));
    expect(picked).toEqual([3, 4]);
    expect(list.element.querySelector('.pl-row.selected')!.getAttribute('data-seq')).toBe('4');
  });

  it('shows what frames carry as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const fetch = async (): Promise<Page<FrameRow>> => ({ items: [row(0, { info: evil, segment: '<b>lan</b>' })], nextCursor: null });
    const list = new PacketList(() => {});
    list.setStore(new FrameStore(fetch, {}, false, 1));
    await list.render();
    expect(list.element.querySelector('img, script, b')).toBeNull();
    expect(list.element.querySelector('.pl-row[data-seq="0"] .c-info')!.textContent).toBe(evil);
  });
});

describe('protocol column', () => {
  it('names DNS, DHCP and HTTP by port, the rest by their top layer', () => {
    expect(displayProtocol(row(0, { dstPort: 53 }))).toBe('DNS');
    expect(displayProtocol(row(0, { srcPort: 68, dstPort: 67 }))).toBe('DHCP');
    expect(displayProtocol(row(0, { protocols: ['eth', 'ipv4', 'tcp'], dstPort: 80, info: 'Flags [P.], length 120' }))).toBe('HTTP');
    expect(displayProtocol(row(0, { protocols: ['eth', 'ipv4', 'tcp'], dstPort: 80, info: 'Flags [S], length 0' }))).toBe('TCP');
    expect(displayProtocol(row(0, { protocols: ['eth', 'arp'] }))).toBe('ARP');
  });
});

describe('frame detail', () => {
  it('shows a payload as text, markup and all, never as HTML', () => {
    const body = 'HTTP/1.1 200 OK\r\n\r\n<script>window.pwned=1</script><img src=x onerror=alert(1)>\x01';
    const hex = [...new TextEncoder().encode(body)].map(b => b.toString(16).padStart(2, '0')).join('');
    expect(payloadText(hex)).toBe('HTTP/1.1 200 OK\n\n<script>window.pwned=1</script><img src=x onerror=alert(1)>.');
    const v = new FrameDetailView();
    v.show({ frame: row(0), hex, layers: { protocol: 'data', summary: 'Data', offset: 0, length: body.length, error: null, layers: [],
      fields: [{ name: 'data', label: 'Data', value: hex.slice(0, 16) + '...', offset: 0, length: body.length, bitmask: 0 }] } });
    expect(v.element.querySelector('script, img')).toBeNull();
    expect(v.element.querySelector('.fd-text')!.textContent).toContain('<script>window.pwned=1</script>');
    expect(v.element.querySelector('.hx-ascii')!.textContent).toBe('HTTP/1.1 200 OK.');
  });


  it('a bit field highlights only the bytes its mask is in', () => {
    // TCP flags: offset 46, 2 bytes, mask 0x00ff -> the second byte (47) only
    expect(fieldBytes({ offset: 46, length: 2, bitmask: 0xff })).toEqual([{ index: 47, partial: false }]);
    expect(fieldBytes({ offset: 46, length: 2, bitmask: 0x02 })).toEqual([{ index: 47, partial: true }]);
    expect(fieldBytes({ offset: 46, length: 2, bitmask: 0xf000 })).toEqual([{ index: 46, partial: true }]);
    expect(fieldBytes({ offset: 26, length: 4, bitmask: 0 }).map(b => b.index)).toEqual([26, 27, 28, 29]);
  });

  it('selecting a field highlights its bytes in the hex dump, and values stay text', () => {
    const v = new FrameDetailView();
    const hex = '00'.repeat(46) + '5002' + '00'.repeat(6);
    v.show({ frame: row(0), hex, layers: {
      protocol: 'tcp', summary: 'Transmission Control Protocol <i>x</i>', offset: 34, length: 20, error: null, layers: [],
      fields: [{ name: 'flags', label: 'Flags', value: '0x02 (SYN) <b>', offset: 46, length: 2, bitmask: 0xff }],
    } });
    expect(v.element.querySelector('i, b')).toBeNull();
    (v.element.querySelector('.fd-field[data-name="flags"]') as HTMLElement).click();
    expect([...v.element.querySelectorAll('.b.hl')].map(b => b.getAttribute('data-i'))).toEqual(['47']);
    expect(v.element.querySelector('.b.hl')!.textContent).toBe('02');
  });
});
