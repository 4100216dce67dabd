// Link impairments of a live run: each segment's loss, delay, jitter, duplication, reordering,
// corruption, rate and queue, changed while frames flow (PUT /api/runs/{id}/links/{segment}).
import { api, ApiError, type RunView } from './api';
import { el, replace } from './dom';

export interface LinkView { segment: string; vni: number; ports: string[]; impairments: Record<string, string | number> }

/** Editor fields: the view's key, the key PUT takes, and a hint. */
export const IMPAIRMENTS: [string, string, string][] = [
  ['delay', 'delay', '5ms'], ['jitter', 'jitter', '1ms'], ['loss', 'loss', '0.01 or 1%'], ['duplicate', 'duplicate', '0.01'],
  ['reorder', 'reorder', '0.05'], ['reorderDelay', 'reorder_delay', '3ms'], ['corrupt', 'corrupt', '0.001'],
  ['rate', 'rate', '10mbit, 0 = none'], ['queue', 'queue', '64kb'],
];

/** The PUT body of an edited row: numbers as numbers, the rest as the text typed (units and %). */
export function impairmentBody(values: Record<string, string>): Record<string, string | number> {
  const body: Record<string, string | number> = {};
  for (const [, key] of IMPAIRMENTS) {
    const v = values[key]?.trim();
    if (v === undefined || v === '') continue;
    body[key] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return body;
}

export class LinksView {
  readonly element: HTMLElement;
  private readonly body = el('div', { class: 'links-body' });
  private readonly message = el('div', { class: 'message', role: 'status' });

  constructor() {
    this.element = el('section', { class: 'view links' }, el('h2', {}, 'Links'), this.message, this.body);
  }

  async setRun(run: RunView): Promise<void> {
    if (!run.live) {
      replace(this.body, el('p', { class: 'muted' }, `Run ${run.id} is ${run.status}: impairments are changed on a live run.`),
        el('a', { class: 'button', href: api.captureUrl(run.id), download: true }, 'pcapng of the run'));
      return;
    }
    const links = await fetch(`/api/runs/${run.id}/links`).then(r => r.json()) as LinkView[];
    replace(this.body, el('table', { class: 'grid links' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Segment'), el('th', {}, 'Ports'), ...IMPAIRMENTS.map(([, k]) => el('th', {}, k)), el('th', {}, ''))),
      el('tbody', {}, ...links.map(l => this.row(run.id, l)))));
  }

  private row(runId: number, l: LinkView): HTMLElement {
    const inputs = IMPAIRMENTS.map(([view, key, hint]) => el('input', { name: `${l.segment}.${key}`, size: 7, placeholder: hint,
      value: String(l.impairments[view] ?? ''), 'aria-label': `${l.segment} ${key}` }));
    const apply = async () => {
      const values: Record<string, string> = {};
      IMPAIRMENTS.forEach(([, key], i) => { values[key] = inputs[i].value; });
      try {
        const r = await fetch(`/api/runs/${runId}/links/${encodeURIComponent(l.segment)}`, {
          method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(impairmentBody(values)) });
        const json = await r.json();
        if (!r.ok) throw new ApiError(r.status, json);
        this.say(`${l.segment}: ${IMPAIRMENTS.map(([v, k]) => `${k} ${(json as LinkView).impairments[v]}`).join(', ')}`);
      } catch (e) {
        this.say(e);
      }
    };
    return el('tr', { 'data-segment': l.segment }, el('td', {}, `${l.segment} (vni ${l.vni})`), el('td', {}, l.ports.join(' ')),
      ...inputs.map(i => el('td', {}, i)),
      el('td', { class: 'actions' }, el('button', { name: `apply-${l.segment}`, onclick: apply }, 'Apply'),
        el('a', { class: 'button', href: api.captureUrl(runId, new URLSearchParams({ segment: l.segment })), download: true }, 'pcapng')));
  }

  private say(m: unknown): void {
    this.message.className = m instanceof Error ? 'message error' : 'message';
    this.message.textContent = m instanceof Error ? m.message : String(m);
  }
}
