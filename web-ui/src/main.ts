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
import { Stepper, itemKey, type StepSource, type TraceItem } from './stepper';
import { filterQuery } from './frames';

/** A view of one run: shown for #/runs/ID/NAME, told when the run's status changes. */
export interface RunPanel {
  element: HTMLElement;
  setRun(run: RunView): void;
  grow?(run: RunView): void;
  /** Step mode moved its cursor to this frame or event. */
  follow?(item: TraceItem): void;
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
  private stepper: Stepper | null = null;
  private playing = false;
  private readonly speed = el('select', { name: 'speed', 'aria-label': 'Steps per second', title: 'Play speed' },
    ...[1, 2, 5, 10, 25].map(n => el('option', { value: n, selected: n === 5 }, `${n}/s`)));
  private readonly playButton = el('button', { name: 'play', title: 'Play: step on at the chosen speed' }, '▶');
  private readonly cursorLabel = el('span', { class: 'cursor-label', 'aria-live': 'polite' });
  private readonly stepBox = el('span', { class: 'stepper', 'data-steps': 0 });

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
    this.playButton.addEventListener('click', () => this.togglePlay());
    replace(this.stepBox, el('button', { name: 'step', title: 'Step: the next frame or event (key .)' }, 'Step'), this.playButton, this.speed,
      el('button', { name: 'rewind', title: 'Back to the start of the trace' }, 'Start'), this.cursorLabel);
    this.stepBox.querySelector('button[name=step]')!.addEventListener('click', () => this.step());
    this.stepBox.querySelector('button[name=rewind]')!.addEventListener('click', () => this.resetStepper());
    // '.' steps, as in a debugger, wherever one is not typing
    document.addEventListener('keydown', e => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      if (e.key === '.' && !typing && this.stepBox.isConnected) { e.preventDefault(); this.step(); }
    });
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
      this.run = run;
      this.resetStepper();
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
    // Step mode: a virtual-time run (time moves only when the stepper lets it) or a run that ended.
    if (run.timeMode === 'virtual' || !run.live) buttons.push(this.stepBox);
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

  private resetStepper(): void {
    this.playing = false;
    this.playButton.textContent = '▶';
    const run = this.run;
    if (!run) return;
    const id = run.id;
    const source: StepSource = {
      frames: (after, limit) => api.frames(id, filterQuery({}, after, limit)),
      events: (after, limit) => api.events(id, new URLSearchParams({ after: String(after), limit: String(limit) })),
      advance: async d => {
        if (!this.run?.live || this.run.timeMode !== 'virtual') return false;
        await api.advance(id, d);
        // what the lab made is stored before the stepper reads on (the ingest is asynchronous)
        for (let i = 0; i < 60; i++) {
          const r = await api.run(id);
          this.run = r;
          if (!r.live || r.pendingRows === 0) break;
          await new Promise(res => setTimeout(res, 50));
        }
        return true;
      },
    };
    this.stepper = new Stepper(source);
    this.cursorLabel.textContent = 'at the start';
    this.stepBox.removeAttribute('data-cursor');
    this.stepBox.setAttribute('data-steps', '0');
  }

  private stepping = false;

  /** One frame or event on; the views follow. */
  private async step(): Promise<TraceItem | null> {
    if (!this.stepper || this.stepping) return null;
    this.stepping = true;
    try {
      const item = await this.stepper.step();
      if (!item) {
        this.cursorLabel.textContent = this.run?.live ? 'nothing happens in the next 60 s of lab time' : 'end of the trace';
        return null;
      }
      const t = ((item.type === 'frame' ? item.frame.timeNanos : item.event.timeNanos) / 1e9).toFixed(6);
      this.cursorLabel.textContent = item.type === 'frame'
        ? `t=${t} frame #${item.frame.seq} ${item.frame.segment} ${item.frame.ingressNode}`
        : `t=${t} ${item.event.node} ${item.event.layer}/${item.event.kind}`;
      this.stepBox.setAttribute('data-cursor', itemKey(item));
      this.stepBox.setAttribute('data-steps', String(this.stepper.steps));
      this.drawStatus();
      for (const p of this.panelCache.values()) p.follow?.(item);
      return item;
    } catch (e) {
      this.cursorLabel.textContent = e instanceof Error ? e.message : String(e);
      return null;
    } finally {
      this.stepping = false;
    }
  }

  private togglePlay(): void {
    this.playing = !this.playing;
    this.playButton.textContent = this.playing ? '⏸' : '▶';
    const loop = async () => {
      if (!this.playing) return;
      const item = await this.step();
      if (!item) {
        this.playing = false;
        this.playButton.textContent = '▶';
        return;
      }
      setTimeout(loop, 1000 / Number(this.speed.value));
    };
    if (this.playing) loop();
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
