import './style.css';
import { api, type RunView } from './api';
import { el, replace } from './dom';
import { InspectorView } from './inspector';
import { LabsView } from './labsview';
import { LinksView } from './linksview';
import { LadderView } from './ladderview';
import { PacketsView } from './packetsview';
import { TerminalView } from './terminalview';
import { TopologyView } from './topology';

/** A view of one run: shown for #/runs/ID/NAME, told when the run's status changes. */
export interface RunPanel {
  element: HTMLElement;
  setRun(run: RunView): void;
  grow?(run: RunView): void;
  dispose?(): void;
}

type PanelFactory = () => RunPanel;
const panels: Record<string, { title: string; make: PanelFactory }> = {
  packets: { title: 'Packets', make: () => new PacketsView() },
  ladder: { title: 'Ladder', make: () => new LadderView() },
  topology: { title: 'Topology', make: () => new TopologyView() },
  terminal: { title: 'Terminal', make: () => new TerminalView() },
  inspector: { title: 'Inspector', make: () => new InspectorView() },
  links: { title: 'Links', make: () => new LinksView() },
};

export function registerPanel(name: string, title: string, make: PanelFactory): void {
  panels[name] = { title, make };
}

class App {
  private readonly view = el('main', { id: 'view' });
  private readonly runSelect = el('select', { 'aria-label': 'Run', name: 'run' });
  private readonly runStatus = el('span', { class: 'run-status', 'aria-live': 'polite' });
  private readonly advanceBy = el('input', { name: 'advance', size: 5, value: '1s', 'aria-label': 'Lab time to advance' });
  private readonly runNav = el('nav', { class: 'run-nav' });
  private readonly controls = el('span', { class: 'run-controls' });
  private readonly labs: LabsView;
  private run: RunView | null = null;
  private panelName = '';
  private readonly panelCache = new Map<string, RunPanel>();
  private poll: ReturnType<typeof setInterval> | null = null;

  constructor(root: HTMLElement) {
    this.labs = new LabsView({ openRun: id => { location.hash = `#/runs/${id}/packets`; }, refreshRuns: () => this.refreshRuns() });
    this.runSelect.addEventListener('change', () => {
      if (this.runSelect.value) location.hash = `#/runs/${this.runSelect.value}/${this.panelName || 'packets'}`;
    });
    replace(root,
      el('header', { class: 'top' },
        el('h1', {}, el('a', { href: '#/labs' }, 'Wirelab')),
        el('nav', {}, el('a', { href: '#/labs', 'data-view': 'labs' }, 'Labs')),
        el('label', { class: 'run-pick' }, 'Run ', this.runSelect),
        this.runNav, this.controls, this.runStatus,
        el('a', { class: 'docs', href: '/swagger-ui.html', target: '_blank', rel: 'noopener' }, 'API')),
      this.view);
    window.addEventListener('hashchange', () => this.route());
    this.refreshRuns();
    this.route();
  }

  async refreshRuns(): Promise<void> {
    try {
      const runs = await api.runs(50);
      const current = this.run?.id;
      replace(this.runSelect, el('option', { value: '' }, '—'),
        ...runs.map(r => el('option', { value: r.id, selected: r.id === current }, `${r.id} · lab ${r.labId} · ${r.status}`)));
    } catch {
      // the header only; views show their own errors
    }
  }

  private route(): void {
    const m = /^#\/runs\/(\d+)(?:\/(\w+))?/.exec(location.hash);
    if (m) {
      this.showRun(Number(m[1]), m[2] && panels[m[2]] ? m[2] : 'packets');
    } else {
      this.showLabs();
    }
  }

  private showLabs(): void {
    this.stopPolling();
    this.markNav('labs');
    replace(this.view, this.labs.element);
    this.labs.refresh();
  }

  private async showRun(id: number, name: string): Promise<void> {
    let run: RunView;
    try {
      run = await api.run(id);
    } catch (e) {
      replace(this.view, el('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
      return;
    }
    if (this.run?.id !== id) {
      for (const p of this.panelCache.values()) p.dispose?.();
      this.panelCache.clear();
    }
    this.run = run;
    this.runSelect.value = String(id);
    if (![...this.runSelect.options].some(o => o.value === String(id))) this.refreshRuns();
    this.panelName = name;
    let panel = this.panelCache.get(name);
    if (!panel) {
      panel = panels[name].make();
      this.panelCache.set(name, panel);
    }
    replace(this.view, panel.element);
    panel.setRun(run);
    this.drawRunBar();
    this.markNav(name);
    this.startPolling();
  }

  private drawRunBar(): void {
    const run = this.run;
    if (!run) return;
    replace(this.runNav, ...Object.entries(panels).map(([k, p]) => el('a', { href: `#/runs/${run.id}/${k}`, 'data-view': k }, p.title)));
    const buttons: HTMLElement[] = [];
    if (run.live) {
      if (run.timeMode === 'virtual') {
        buttons.push(el('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); this.advance(); } },
          this.advanceBy, el('button', { type: 'submit', name: 'advance-time', title: 'Let lab time pass (virtual time)' }, 'Advance')));
      }
      buttons.push(el('button', { name: 'stop-run', onclick: () => this.stop() }, 'Stop'));
    }
    replace(this.controls, ...buttons);
    this.drawStatus();
  }

  private drawStatus(): void {
    const r = this.run;
    if (!r) return;
    const t = r.labTimeNanos === null ? '' : (r.labTimeNanos / 1e9).toFixed(3);
    this.runStatus.textContent = `${r.status}${r.live ? ` · ${r.timeMode} t=${t} s` : ''}`
      + ` · ${r.frames.stored} frames${r.frames.dropped ? ` (${r.frames.dropped} dropped)` : ''} · ${r.events.stored} events`;
    this.runStatus.title = `run ${r.id} of lab ${r.labId}, ${r.runtime} runtime, seed ${r.seed}`;
  }

  private markNav(name: string): void {
    for (const a of document.querySelectorAll('header a[data-view]')) {
      a.classList.toggle('current', a.getAttribute('data-view') === name);
    }
  }

  private async advance(): Promise<void> {
    if (!this.run) return;
    try {
      await api.advance(this.run.id, this.advanceBy.value);
      await this.tick();
    } catch (e) {
      this.runStatus.textContent = e instanceof Error ? e.message : String(e);
    }
  }

  private async stop(): Promise<void> {
    if (!this.run) return;
    try {
      await api.stop(this.run.id);
    } finally {
      await this.tick();
      this.refreshRuns();
    }
  }

  private startPolling(): void {
    this.stopPolling();
    if (this.run?.live) this.poll = setInterval(() => this.tick(), 1500);
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  /** Re-reads the run: counters, clock; the views grow. */
  private async tick(): Promise<void> {
    if (!this.run) return;
    try {
      const was = this.run;
      const run = await api.run(was.id);
      this.run = run;
      for (const p of this.panelCache.values()) p.grow?.(run);
      if (was.live !== run.live) {
        this.drawRunBar();
        this.startPolling();
      } else {
        this.drawStatus();
      }
    } catch {
      // keep the last status
    }
  }
}

new App(document.getElementById('app')!);
