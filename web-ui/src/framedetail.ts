// One frame: its layer tree and its bytes. Selecting a field (or a layer) highlights its bytes in
// the hex dump; a bit field (bitmask) highlights only the bytes its bits are in.
import type { Field, FrameDetail, Layer } from './api';
import { el, replace } from './dom';

/** Which bytes of a field its bits touch: byte i of the field is in when its part of the mask is not 0. */
export function fieldBytes(f: { offset: number; length: number; bitmask: number }): { index: number; partial: boolean }[] {
  const out: { index: number; partial: boolean }[] = [];
  for (let i = 0; i < f.length; i++) {
    if (!f.bitmask) {
      out.push({ index: f.offset + i, partial: false });
      continue;
    }
    // The mask covers the field's bytes big-endian (network order), like the field itself.
    const byteMask = Number((BigInt(f.bitmask) >> BigInt(8 * (f.length - 1 - i))) & 0xffn);
    if (byteMask) out.push({ index: f.offset + i, partial: byteMask !== 0xff });
  }
  return out;
}

/**
 * A payload (hex) as text, e.g. HTTP headers and bodies: UTF-8, control characters but line
 * breaks and tabs shown as dots. It goes into the page as text only.
 */
export function payloadText(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '.');
}

export class FrameDetailView {
  readonly element: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly hex: HTMLElement;
  private bytes: HTMLElement[] = [];
  private selectedItem: HTMLElement | null = null;
  private frameHex = '';

  constructor() {
    this.tree = el('div', { class: 'fd-tree', role: 'tree', 'aria-label': 'Layers' });
    this.hex = el('div', { class: 'fd-hex', 'aria-label': 'Bytes' });
    this.element = el('div', { class: 'frame-detail' }, this.tree, this.hex);
    this.clear();
  }

  clear(): void {
    replace(this.tree, el('p', { class: 'muted' }, 'Select a frame.'));
    replace(this.hex);
    this.bytes = [];
  }

  error(message: string): void {
    replace(this.tree, el('p', { class: 'error' }, message));
    replace(this.hex);
    this.bytes = [];
  }

  show(d: FrameDetail): void {
    this.frameHex = d.hex;
    replace(this.tree, this.layer(d.layers));
    this.renderHex(d.hex);
  }

  private layer(l: Layer): HTMLElement {
    const summary = el('summary', { class: 'fd-layer', 'data-protocol': l.protocol, tabindex: 0 }, l.summary);
    summary.addEventListener('click', () => this.highlight(summary, [{ offset: l.offset, length: l.length, bitmask: 0 }]));
    const data = l.protocol === 'data' ? l.fields.find(f => f.name === 'data') : undefined;
    return el('details', { open: true, role: 'treeitem' }, summary,
      el('ul', {}, ...l.fields.map(f => this.field(f))),
      // from the frame's bytes: the field's value is cut short for long payloads
      data ? el('pre', { class: 'fd-text', title: 'the bytes as UTF-8 text' }, payloadText(this.frameHex.slice(2 * data.offset, 2 * (data.offset + data.length)))) : null,
      l.error ? el('div', { class: 'fd-error' }, `Decoding stopped: ${l.error}`) : null,
      ...l.layers.map(c => this.layer(c)));
  }

  private field(f: Field): HTMLElement {
    const mask = f.bitmask ? ` [mask 0x${f.bitmask.toString(16)}]` : '';
    const li = el('li', { class: 'fd-field', tabindex: 0, 'data-name': f.name, title: `offset ${f.offset}, ${f.length} byte(s)${mask}` },
      el('span', { class: 'fd-label' }, f.label), ': ', el('span', { class: 'fd-value' }, f.value));
    const pick = () => this.highlight(li, [f]);
    li.addEventListener('click', pick);
    li.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
    return li;
  }

  private highlight(item: HTMLElement, ranges: { offset: number; length: number; bitmask: number }[]): void {
    this.selectedItem?.classList.remove('selected');
    this.selectedItem = item;
    item.classList.add('selected');
    for (const b of this.bytes) b.classList.remove('hl', 'hl-bits');
    let first: HTMLElement | null = null;
    for (const r of ranges) {
      for (const { index, partial } of fieldBytes(r)) {
        const b = this.bytes[index];
        if (!b) continue;
        b.classList.add(partial ? 'hl-bits' : 'hl');
        first ??= b;
      }
    }
    first?.scrollIntoView?.({ block: 'nearest' });
  }

  private renderHex(hex: string): void {
    const n = hex.length / 2;
    this.bytes = [];
    const lines: HTMLElement[] = [];
    for (let line = 0; line < n; line += 16) {
      const hexCells: HTMLElement[] = [];
      const ascii: string[] = [];
      for (let i = line; i < Math.min(n, line + 16); i++) {
        const h = hex.slice(2 * i, 2 * i + 2);
        const b = el('span', { class: 'b', 'data-i': i }, h);
        this.bytes.push(b);
        hexCells.push(b);
        const v = parseInt(h, 16);
        ascii.push(v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.');
      }
      lines.push(el('div', { class: 'hx-line' }, el('span', { class: 'hx-off' }, line.toString(16).padStart(4, '0')),
        el('span', { class: 'hx-bytes' }, ...hexCells), el('span', { class: 'hx-ascii' }, ascii.join(''))));
    }
    replace(this.hex, ...lines);
  }
}
