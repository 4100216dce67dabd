// A terminal per node (xterm.js): commands run on the node with their output streamed; each node
// keeps its terminal, its history and its scrollback while the run is shown.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { api, execStream, type RunView } from './api';
import { el, replace } from './dom';
import { LineEditor, printable } from './lineeditor';

class NodeTerminal {
  readonly element: HTMLElement;
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly editor = new LineEditor();
  private running: AbortController | null = null;
  private queue: string[] = [];

  constructor(private readonly runId: number, readonly node: string) {
    this.element = el('div', { class: 'term', 'data-node': node, 'data-state': 'idle' });
    this.term = new Terminal({ fontSize: 13, rows: 30, cols: 120, convertEol: false, scrollback: 5000,
      fontFamily: "'DejaVu Sans Mono', ui-monospace, monospace", theme: { background: '#10161e' } });
    this.term.loadAddon(this.fit);
    this.term.open(this.element);
    this.term.writeln(`${node}: type a command (browse, curl, dig, ping, traceroute, ss, nc, ip ...); Up/Down for history, Ctrl-C stops it`);
    this.prompt();
    this.term.onData(d => this.key(d));
  }

  private prompt(): void {
    this.term.write(`\x1b[1;32m${this.node}\x1b[0m$ `);
  }

  private key(data: string): void {
    if (data === '\x03') { // Ctrl-C
      if (this.running) {
        this.running.abort();
      } else {
        this.editor.input('\x15');
        this.term.write('^C\r\n');
        this.prompt();
      }
      return;
    }
    if (this.running) {
      // typed ahead while a program runs: kept for when it ends
      const { commands } = this.editor.input(data);
      this.queue.push(...commands);
      return;
    }
    const { echo, commands } = this.editor.input(data);
    this.term.write(echo);
    if (commands.length) this.run(commands[0], commands.slice(1));
  }

  focus(): void {
    this.resize();
    this.term.focus();
  }

  /** As many columns and rows as the area has room for. */
  resize(): void {
    try { this.fit.fit(); } catch { /* not laid out yet */ }
  }

  /** Runs a command as if typed (also used by the command box). */
  type(command: string): void {
    this.key(command + '\r');
  }

  private async run(command: string, more: string[]): Promise<void> {
    this.queue.push(...more);
    const abort = new AbortController();
    this.running = abort;
    this.element.setAttribute('data-state', 'running');
    this.element.removeAttribute('data-exit');
    let exit = '';
    try {
      const outcome = await execStream(this.runId, this.node, command, line => this.term.write(printable(line) + '\r\n'), abort.signal);
      exit = String(outcome.exitCode);
      if (outcome.exitCode !== 0) this.term.write(`\x1b[33m[exit ${outcome.exitCode}${outcome.timedOut ? ', timed out' : ''}]\x1b[0m\r\n`);
    } catch (e) {
      exit = 'error';
      const msg = abort.signal.aborted ? 'stopped (the program goes on until its timeout on the node)' : e instanceof Error ? e.message : String(e);
      this.term.write(`\x1b[31m${printable(msg)}\x1b[0m\r\n`);
    }
    this.running = null;
    this.element.setAttribute('data-state', 'idle');
    this.element.setAttribute('data-exit', exit);
    this.element.setAttribute('data-commands', String(this.editor.commandsSoFar().length));
    this.prompt();
    const next = this.queue.shift();
    if (next) {
      this.term.write(next + '\r\n');
      this.run(next, []);
    }
  }

  dispose(): void {
    this.running?.abort();
    this.term.dispose();
  }
}

export class TerminalView {
  readonly element: HTMLElement;
  private readonly tabs = el('div', { class: 'term-tabs', role: 'tablist' });
  private readonly area = el('div', { class: 'term-area' });
  private readonly terms = new Map<string, NodeTerminal>();
  private run: RunView | null = null;
  private current = '';

  constructor() {
    this.element = el('section', { class: 'view terminal' }, this.tabs, this.area);
    window.addEventListener('resize', () => this.terms.get(this.current)?.resize());
  }

  async setRun(run: RunView): Promise<void> {
    if (this.run?.id !== run.id) this.dispose();
    this.run = run;
    if (!run.live) {
      replace(this.tabs);
      replace(this.area, el('p', { class: 'muted' }, `Run ${run.id} is ${run.status}: terminals need a live run.`));
      return;
    }
    const nodes = await api.nodes(run.id);
    replace(this.tabs, ...nodes.map(n => el('button', { role: 'tab', name: `term-${n.name}`, 'data-node': n.name,
      class: n.name === this.current ? 'current' : '', title: `${n.kind}, ${n.status}`, onclick: () => this.show(n.name) }, n.name)));
    const asked = sessionStorage.getItem('wirelab.node');
    sessionStorage.removeItem('wirelab.node');
    if (asked && nodes.some(n => n.name === asked)) this.current = asked;
    this.show(this.current && nodes.some(n => n.name === this.current) ? this.current
      : (nodes.find(n => n.kind === 'host') ?? nodes[0])?.name ?? '');
  }

  grow(run: RunView): void {
    if (this.run && this.run.live && !run.live) this.setRun(run);
    this.run = run;
  }

  show(node: string): void {
    if (!node || !this.run) return;
    this.current = node;
    for (const b of this.tabs.querySelectorAll('button')) b.classList.toggle('current', b.getAttribute('data-node') === node);
    let t = this.terms.get(node);
    if (!t) {
      t = new NodeTerminal(this.run.id, node);
      this.terms.set(node, t);
    }
    replace(this.area, t.element);
    t.focus();
  }

  dispose(): void {
    for (const t of this.terms.values()) t.dispose();
    this.terms.clear();
  }
}
