// Topology: the lab's nodes and segments as a graph (Cytoscape.js, automatic layout), node kinds
// as shapes, interface addresses on the links; frames flash the link they enter by while live.
import cytoscape from 'cytoscape';
import { api, type LabView, type NodeBrief, type RunView, type Topology } from './api';
import { el, replace } from './dom';

export interface GraphElement { group: 'nodes' | 'edges'; data: Record<string, string> }

const KINDS: Record<string, { shape: string; color: string }> = {
  host: { shape: 'ellipse', color: '#3a7bd5' },
  router: { shape: 'diamond', color: '#e08a1e' },
  dns: { shape: 'hexagon', color: '#2e9d5b' },
  dhcp: { shape: 'round-triangle', color: '#8a5cc2' },
  web: { shape: 'round-rectangle', color: '#c2455c' },
  segment: { shape: 'rectangle', color: '#7b8794' },
};

/** The graph of a topology: a vertex per node and per segment, an edge per interface. */
export function topologyElements(t: Topology, briefs: NodeBrief[] = []): GraphElement[] {
  const out: GraphElement[] = [];
  const segments = new Set<string>((t.segments ?? []).map(s => typeof s === 'string' ? s : s.name));
  const live = new Map(briefs.map(b => [b.name, b]));
  for (const [name, n] of Object.entries(t.nodes ?? {})) {
    const kind = KINDS[n.kind] ? n.kind : 'host';
    out.push({ group: 'nodes', data: { id: `n:${name}`, label: `${name}\n${n.kind}${n.role ? ' (' + n.role + ')' : ''}`, kind, name } });
    for (const [ifName, i] of Object.entries(n.interfaces ?? {})) {
      if (!i.segment) continue;
      segments.add(i.segment);
      const b = live.get(name)?.interfaces.find(x => x.name === ifName);
      const address = b && b.addresses.length ? b.addresses.join(', ') : i.address ?? (i.dhcp ? 'dhcp' : '');
      out.push({ group: 'edges', data: { id: `e:${name}:${ifName}`, source: `n:${name}`, target: `s:${i.segment}`,
        label: `${ifName} ${address}`.trim(), port: `${name}:${ifName}` } });
    }
  }
  for (const s of segments) out.unshift({ group: 'nodes', data: { id: `s:${s}`, label: s, kind: 'segment', name: s } });
  return out;
}

export class TopologyView {
  readonly element: HTMLElement;
  private readonly graph = el('div', { class: 'topo-graph', 'aria-label': 'Topology graph' });
  private readonly side = el('aside', { class: 'topo-side' });
  private cy: cytoscape.Core | null = null;
  private run: RunView | null = null;
  private lab: LabView | null = null;
  private live: EventSource | null = null;
  private packets = 0;
  private inFlight = 0;

  constructor() {
    const legend = el('div', { class: 'legend' }, ...Object.entries(KINDS).map(([k, v]) =>
      el('span', { class: 'lg' }, el('i', { style: `background:${v.color}` }), k)));
    this.element = el('section', { class: 'view topology' }, el('div', { class: 'topo-main' }, legend, this.graph), this.side);
  }

  async setRun(run: RunView): Promise<void> {
    const changed = this.run?.id !== run.id;
    this.run = run;
    if (changed || !this.lab) this.lab = await api.lab(run.labId);
    this.draw();
    this.closeLive();
    if (run.live && typeof EventSource !== 'undefined') {
      const es = new EventSource(`/api/runs/${run.id}/live?events=false`);
      es.addEventListener('frame', e => this.flash(JSON.parse((e as MessageEvent).data).ingressPort));
      this.live = es;
    }
  }

  grow(run: RunView): void {
    const addressesChanged = JSON.stringify(run.nodes.map(n => n.interfaces.map(i => i.addresses))) !==
      JSON.stringify(this.run?.nodes.map(n => n.interfaces.map(i => i.addresses)));
    this.run = run;
    if (addressesChanged && this.cy) this.relabel();
    if (!run.live) this.closeLive();
  }

  private draw(): void {
    if (!this.lab || !this.run) return;
    this.cy?.destroy();
    // The container needs its size before the layout: it is attached by now (setRun after the view is shown).
    this.cy = cytoscape({
      container: this.graph,
      elements: topologyElements(this.lab.topology, this.run.nodes),
      style: [
        { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'bottom', 'text-margin-y': 4,
          'font-size': 11, width: 34, height: 34, color: '#1d232b' } },
        ...Object.entries(KINDS).map(([k, v]) => ({ selector: `node[kind = "${k}"]`,
          style: { shape: v.shape as cytoscape.Css.NodeShape, 'background-color': v.color } })),
        { selector: 'node[kind = "segment"]', style: { width: 70, height: 12, 'text-valign': 'center', 'text-margin-y': 0,
          color: '#fff', 'font-size': 10, 'font-weight': 'bold' } },
        { selector: 'edge', style: { width: 2, 'line-color': '#a8b3bf', label: 'data(label)', 'font-size': 9, color: '#3d4751',
          'text-background-color': '#f6f7f9', 'text-background-opacity': 1, 'text-background-padding': '1px', 'curve-style': 'bezier' } },
        { selector: 'edge.flash', style: { 'line-color': '#ff9f1c', width: 5 } },
        { selector: 'node.packet', style: { width: 9, height: 9, 'background-color': '#ff6b00', label: '', 'border-width': 0, events: 'no' } },
        { selector: ':selected', style: { 'border-width': 3, 'border-color': '#111' } },
      ],
      layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 12000, idealEdgeLength: () => 70, padding: 30 },
      wheelSensitivity: 0.3,
    });
    this.cy.on('tap', 'node', e => this.details(e.target.data('kind'), e.target.data('name')));
    this.index();
  }

  /** The side panel before a pick: every node and segment as a button (the graph is a canvas: keys reach these). */
  private index(): void {
    if (!this.lab) return;
    const nodes = Object.entries(this.lab.topology.nodes ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const segments = [...new Set(topologyElements(this.lab.topology).filter(e => e.data.kind === 'segment').map(e => e.data.name))].sort();
    replace(this.side, el('p', { class: 'muted' }, 'Click a node or segment in the graph, or here:'),
      el('div', { class: 'topo-index' }, ...nodes.map(([n, v]) => el('button', { name: `node-${n}`, title: v.kind, onclick: () => this.pick('node', n) }, n))),
      el('div', { class: 'topo-index' }, ...segments.map(sg => el('button', { name: `segment-${sg}`, onclick: () => this.pick('segment', sg) }, sg))));
  }

  private pick(kind: 'node' | 'segment', name: string): void {
    const id = kind === 'node' ? `n:${name}` : `s:${name}`;
    this.cy?.$(':selected').unselect();
    this.cy?.getElementById(id).select();
    this.details(kind === 'node' ? 'node' : 'segment', name);
  }

  private relabel(): void {
    if (!this.cy || !this.lab || !this.run) return;
    for (const e of topologyElements(this.lab.topology, this.run.nodes)) {
      if (e.group === 'edges') this.cy.getElementById(e.data.id).data('label', e.data.label);
    }
  }

  private flash(port: string): void {
    if (!this.cy || !port) return;
    const [node, ifName] = port.split(':');
    const edge = this.cy.getElementById(`e:${node}:${ifName}`);
    if (edge.empty()) return;
    edge.addClass('flash');
    setTimeout(() => edge.removeClass('flash'), 350);
    this.graph.setAttribute('data-flashes', String(Number(this.graph.getAttribute('data-flashes') ?? 0) + 1));
    this.graph.setAttribute('data-last-port', port);
    // the frame itself, a dot travelling from the node onto its segment
    if (this.inFlight > 40) return; // a burst: the flashing links say enough
    const from = edge.source().position();
    const to = edge.target().position();
    const dot = this.cy.add({ group: 'nodes', data: { id: `pkt-${this.packets++}`, kind: 'packet' }, position: { ...from }, classes: 'packet' });
    dot.ungrabify();
    dot.unselectify();
    this.inFlight++;
    dot.animate({ position: { ...to } }, { duration: 300, complete: () => { dot.remove(); this.inFlight--; } });
  }

  private details(kind: string, name: string): void {
    if (!this.run || !this.lab) return;
    if (kind === 'segment') {
      const ports = Object.entries(this.lab.topology.nodes).flatMap(([n, v]) =>
        Object.entries(v.interfaces ?? {}).filter(([, i]) => i.segment === name).map(([i]) => `${n}:${i}`));
      replace(this.side, el('button', { name: 'topo-back', onclick: () => this.index() }, '← all nodes'), el('h3', {}, `Segment ${name}`), el('ul', {}, ...ports.map(p => el('li', {}, p))),
        el('a', { href: `#/runs/${this.run.id}/packets`, onclick: () => sessionStorage.setItem('wirelab.segment', name) }, 'Frames'));
      return;
    }
    const b = this.run.nodes.find(n => n.name === name);
    const t = this.lab.topology.nodes[name];
    replace(this.side, el('button', { name: 'topo-back', onclick: () => this.index() }, '← all nodes'), el('h3', {}, `${name} (${t?.kind ?? b?.kind ?? '?'})`),
      // Two columns, the MAC under the addresses: three did not fit the panel at 1280x800.
      el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, el('th', {}, 'Interface'), el('th', {}, 'Addresses, MAC'))),
        el('tbody', {}, ...(b?.interfaces ?? []).map(i => el('tr', { 'data-if': i.name }, el('td', {}, i.name),
          el('td', {}, el('div', {}, i.addresses.join(', ') || '(none)'), el('div', { class: 'muted mac' }, i.mac)))))),
      this.run.live ? el('p', {}, el('a', { href: `#/runs/${this.run.id}/terminal`, onclick: () => sessionStorage.setItem('wirelab.node', name) }, 'Terminal'),
        ' · ', el('a', { href: `#/runs/${this.run.id}/inspector`, onclick: () => sessionStorage.setItem('wirelab.node', name) }, 'Inspector')) : null);
  }

  /** Step mode: the cursor's frame flashes its link. */
  follow(item: import('./stepper').TraceItem): void {
    if (item.type === 'frame') this.flash(item.frame.ingressPort);
  }

  private closeLive(): void {
    this.live?.close();
    this.live = null;
  }

  dispose(): void {
    this.closeLive();
    this.cy?.destroy();
    this.cy = null;
  }
}
