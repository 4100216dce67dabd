// The Labs view: the labs and their runs; create from an example or from YAML (problems shown at
// their line and field), validate, start (time mode, seed, runtime), stop, delete.
import { api, ApiError, type Example, type LabSummary, type LabView, type Problem } from './api';
import { el, replace } from './dom';

export interface LabsHost {
  openRun(runId: number): void;
  refreshRuns(): void;
}

export class LabsView {
  readonly element: HTMLElement;
  private readonly table = el('tbody');
  private readonly detail = el('div', { class: 'lab-detail' });
  private readonly message = el('div', { class: 'message', role: 'status', 'aria-live': 'polite' });
  private readonly exampleSelect = el('select', { name: 'example', 'aria-label': 'Example' });
  private readonly yaml = el('textarea', { name: 'yaml', rows: 18, cols: 70, spellcheck: 'false', 'aria-label': 'Topology YAML',
    placeholder: 'name: my-lab\nnodes:\n  pc1: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 } } }' });
  private readonly gutter = el('div', { class: 'gutter', 'aria-hidden': 'true' });
  private readonly problems = el('ul', { class: 'problems' });
  private selectedLab: number | null = null;

  constructor(private readonly host: LabsHost) {
    this.yaml.addEventListener('input', () => this.drawGutter([]));
    this.yaml.addEventListener('scroll', () => { this.gutter.scrollTop = this.yaml.scrollTop; });
    this.element = el('section', { class: 'view labs' },
      el('div', { class: 'labs-left' },
        el('h2', {}, 'Labs'),
        el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ...['Id', 'Name', 'Example', 'Live run', ''].map(h => el('th', {}, h)))), this.table),
        this.message,
        this.detail),
      el('div', { class: 'labs-right' },
        el('h2', {}, 'New lab'),
        el('form', { class: 'row', onsubmit: (e: Event) => { e.preventDefault(); this.createFromExample(); } },
          el('label', {}, 'From an example ', this.exampleSelect), el('button', { type: 'submit', name: 'create-example' }, 'Create')),
        el('p', { class: 'muted' }, 'Or paste or write a topology (YAML or JSON):'),
        el('div', { class: 'editor' }, this.gutter, this.yaml),
        el('div', { class: 'row' },
          el('button', { type: 'button', name: 'validate', onclick: () => this.validate() }, 'Validate'),
          el('button', { type: 'button', name: 'create-yaml', onclick: () => this.createFromYaml() }, 'Create from YAML')),
        this.problems));
    this.drawGutter([]);
  }

  async refresh(): Promise<void> {
    try {
      const [labs, examples] = await Promise.all([api.labs(), this.exampleSelect.options.length ? Promise.resolve(null) : api.examples()]);
      if (examples) this.fillExamples(examples);
      replace(this.table, ...labs.map(l => this.labRow(l)));
      if (this.selectedLab !== null && labs.some(l => l.id === this.selectedLab)) await this.showLab(this.selectedLab);
      else replace(this.detail);
    } catch (e) {
      this.say(e);
    }
  }

  private fillExamples(examples: Example[]): void {
    replace(this.exampleSelect, ...examples.map(x => el('option', { value: x.name }, x.problems.length ? `${x.name} (${x.problems.length} problems)` : x.name)));
  }

  private labRow(l: LabSummary): HTMLElement {
    return el('tr', { class: l.id === this.selectedLab ? 'selected' : '', 'data-lab': l.name },
      el('td', {}, String(l.id)),
      el('td', {}, el('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); this.selectedLab = l.id; this.refresh(); } }, l.name)),
      el('td', {}, l.example ?? ''),
      el('td', {}, l.liveRunId === null ? '' : el('a', { href: `#/runs/${l.liveRunId}/packets` }, `run ${l.liveRunId}`)),
      el('td', { class: 'actions' },
        l.liveRunId === null ? el('button', { name: 'start', onclick: () => { this.selectedLab = l.id; this.refresh(); } }, 'Start...')
          : el('button', { name: 'stop', onclick: () => this.stop(l.liveRunId!) }, 'Stop'),
        el('button', { name: 'delete', onclick: () => this.remove(l) }, 'Delete')));
  }

  private async showLab(id: number): Promise<void> {
    const lab: LabView = await api.lab(id);
    const mode = el('select', { name: 'timeMode', 'aria-label': 'Time mode' },
      el('option', { value: 'virtual' }, 'virtual time'), el('option', { value: 'real' }, 'real time'));
    const seed = el('input', { name: 'seed', type: 'number', 'aria-label': 'Seed', placeholder: 'seed (default the lab\'s)', size: 10 });
    const runtime = el('select', { name: 'runtime', 'aria-label': 'Runtime' },
      el('option', { value: '' }, 'default runtime'), el('option', { value: 'embedded' }, 'embedded'), el('option', { value: 'docker' }, 'docker (real time)'));
    const start = el('form', { class: 'row start', onsubmit: (e: Event) => {
      e.preventDefault();
      this.start(lab.id, { timeMode: mode.value, seed: seed.value ? Number(seed.value) : undefined, runtime: runtime.value || undefined });
    } }, mode, seed, runtime, el('button', { type: 'submit', name: 'start-run', disabled: lab.liveRunId !== null }, 'Start run'));
    const nodes = Object.entries(lab.topology.nodes ?? {});
    replace(this.detail,
      el('h3', {}, `Lab ${lab.name}`),
      el('p', { class: 'muted' }, `${nodes.length} nodes: ${nodes.map(([n, v]) => `${n} (${v.kind})`).join(', ')}`),
      start,
      el('table', { class: 'grid runs' },
        el('thead', {}, el('tr', {}, ...['Run', 'Status', 'Time', 'Seed', 'Frames', 'Started', ''].map(h => el('th', {}, h)))),
        el('tbody', {}, ...lab.runs.slice().reverse().map(r => el('tr', { 'data-run': r.id },
          el('td', {}, el('a', { href: `#/runs/${r.id}/packets` }, String(r.id))),
          el('td', {}, r.status), el('td', {}, r.timeMode), el('td', {}, String(r.seed)), el('td', {}, String(r.framesStored)),
          el('td', {}, new Date(r.startedAt).toLocaleString()),
          el('td', {}, r.status === 'running' ? el('button', { onclick: () => this.stop(r.id) }, 'Stop') : ''))))),
      el('details', {}, el('summary', {}, 'Source'), el('pre', { class: 'source' }, lab.source)));
  }

  private async start(labId: number, opts: { timeMode: string; seed?: number; runtime?: string }): Promise<void> {
    try {
      const run = await api.start(labId, opts);
      this.say(`Run ${run.id} started (${run.timeMode} time, ${run.runtime}).`);
      this.host.refreshRuns();
      this.host.openRun(run.id);
    } catch (e) {
      if (!(e instanceof TypeError)) {
        this.say(e);
        return;
      }
      // The connection dropped while the run started (under docker compose, Docker moves the
      // published port when the control API joins the run's network): the start goes on without us.
      this.say('The connection dropped while the run was starting; looking for it...');
      for (let i = 0; i < 120; i++) {
        await new Promise(r => setTimeout(r, 1000));
        try {
          const lab = await api.lab(labId);
          if (lab.liveRunId !== null) {
            this.say(`Run ${lab.liveRunId} started.`);
            this.host.refreshRuns();
            this.host.openRun(lab.liveRunId);
            return;
          }
          const failed = lab.runs.find(r => r.status === 'failed' && Date.parse(r.startedAt) > Date.now() - 180_000);
          if (failed) {
            this.say(`Run ${failed.id} could not start.`);
            this.refresh();
            return;
          }
        } catch {
          // still reconnecting
        }
      }
      this.say(e);
    }
  }

  private async stop(runId: number): Promise<void> {
    try {
      const r = await api.stop(runId);
      this.say(`Run ${runId} ${r.status}: ${r.frames.stored} frames stored, ${r.frames.dropped} dropped.`);
      this.host.refreshRuns();
      await this.refresh();
    } catch (e) {
      this.say(e);
    }
  }

  private async remove(l: LabSummary): Promise<void> {
    if (!confirm(`Delete lab ${l.name} with its runs and traces?`)) return;
    try {
      await api.deleteLab(l.id);
      if (this.selectedLab === l.id) this.selectedLab = null;
      this.say(`Lab ${l.name} deleted.`);
      this.host.refreshRuns();
      await this.refresh();
    } catch (e) {
      this.say(e);
    }
  }

  private async createFromExample(): Promise<void> {
    try {
      const lab = await api.createFromExample(this.exampleSelect.value);
      this.selectedLab = lab.id;
      this.say(`Lab ${lab.name} created.`);
      await this.refresh();
    } catch (e) {
      this.say(e);
    }
  }

  private async validate(): Promise<void> {
    try {
      const problems = await api.validate(this.yaml.value);
      this.showProblems(problems);
      if (!problems.length) this.say('The topology is valid.');
    } catch (e) {
      this.say(e);
    }
  }

  private async createFromYaml(): Promise<void> {
    try {
      const lab = await api.createFromYaml(this.yaml.value);
      this.showProblems([]);
      this.selectedLab = lab.id;
      this.say(`Lab ${lab.name} created.`);
      await this.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.problems.length) this.showProblems(e.problems);
      this.say(e);
    }
  }

  /** Each problem at its line and field; clicking one puts the cursor there. */
  showProblems(problems: Problem[]): void {
    replace(this.problems, ...problems.map(p => el('li', { class: 'problem', tabindex: 0, 'data-line': p.line, 'data-path': p.path,
      onclick: () => this.goTo(p.line, p.column) },
      el('span', { class: 'where' }, p.line > 0 ? `line ${p.line}, column ${p.column}` : 'document'),
      p.path ? el('code', {}, p.path) : null, ' ', p.message)));
    this.drawGutter(problems);
  }

  private goTo(line: number, column: number): void {
    if (line < 1) return;
    const lines = this.yaml.value.split('\n');
    let pos = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
    pos += Math.max(0, column - 1);
    this.yaml.focus();
    this.yaml.setSelectionRange(pos, pos);
  }

  /** Line numbers beside the editor, the lines with problems marked. */
  private drawGutter(problems: Problem[]): void {
    const bad = new Set(problems.map(p => p.line));
    const n = Math.max(1, this.yaml.value.split('\n').length);
    replace(this.gutter, ...Array.from({ length: n }, (_, i) => el('div', { class: bad.has(i + 1) ? 'bad' : '' }, String(i + 1))));
  }

  private say(m: unknown): void {
    const text = m instanceof Error ? m.message : String(m);
    this.message.className = m instanceof Error ? 'message error' : 'message';
    this.message.textContent = text;
  }
}
