// The control API's REST shapes (control-api/src/main/java/dev/wirelab/control/api) and calls.
// Same origin: the token cookie (set by opening /?token=... once) rides along by itself.

export interface Problem { path: string; message: string; line: number; column: number }

export interface LabSummary { id: number; name: string; example: string | null; createdAt: string; liveRunId: number | null }
export interface RunSummary { id: number; status: string; timeMode: string; seed: number; startedAt: string; endedAt: string | null; framesStored: number }
export interface TopologyInterface { segment?: string; address?: string; dhcp?: boolean }
export interface TopologyNode { kind: string; role?: string; interfaces?: Record<string, TopologyInterface> }
export interface TopologySegment { name: string; vni?: number; mtu?: number }
export interface Topology { name: string; nodes: Record<string, TopologyNode>; links?: Record<string, unknown>; segments?: (TopologySegment | string)[] }
export interface LabView extends LabSummary { sourceFormat: string; source: string; topology: Topology; runs: RunSummary[] }
export interface Example { name: string; file: string; labName: string; problems: Problem[] }

export interface Counts { captured: number; stored: number; dropped: number }
export interface BriefInterface { name: string; mac: string; addresses: string[]; rxFrames: number; txFrames: number }
export interface NodeBrief { name: string; kind: string; running: boolean; interfaces: BriefInterface[] }
export interface RunView {
  id: number; labId: number; status: string; live: boolean; runtime: string; timeMode: string; seed: number;
  startedAt: string; endedAt: string | null; error: string | null; labTimeNanos: number | null;
  frames: Counts; events: Counts; pendingRows: number; nodes: NodeBrief[]; nodesDown: string[];
}

export interface FrameRow {
  seq: number; timeNanos: number; segment: string; ingressPort: string; ingressNode: string; length: number;
  protocols: string[]; srcMac: string | null; dstMac: string | null; srcIp: string | null; dstIp: string | null;
  ipProtocol: number | null; srcPort: number | null; dstPort: number | null; flags: string | null;
  conversation: string | null; info: string;
}
export interface Page<T> { items: T[]; nextCursor: number | null }
export interface Field { name: string; label: string; value: string; offset: number; length: number; bitmask: number }
export interface Layer { protocol: string; summary: string; offset: number; length: number; fields: Field[]; layers: Layer[]; error: string | null }
export interface FrameDetail { frame: FrameRow; hex: string; layers: Layer }

export interface StackEvent { seq: number; timeNanos: number; node: string; layer: string; kind: string; detail: Record<string, unknown> }
export interface Conversation { key: string; protocol: string; frames: number; bytes: number; firstNanos: number; lastNanos: number; firstSeq: number; lastSeq: number }
export interface NodeEntry { name: string; kind: string; status: string; running: boolean }
export interface ExecOutcome { node: string; command: string; exitCode: number; timedOut: boolean; output: string[]; startedAtNanos: number; endedAtNanos: number }

/** An answer that was not 2xx, with its problem details (RFC 9457) when the server sent them. */
export type ProblemBody = { title?: string; detail?: string; problems?: Problem[]; [k: string]: unknown };

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: ProblemBody) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
  get problems(): Problem[] { return this.problem.problems ?? []; }
}

async function request<T>(method: string, path: string, body?: string, type = 'application/json'): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  // Every state-changing request carries a JSON or YAML type, body or not (the server's ApiGuard).
  if (method !== 'GET' && method !== 'DELETE') headers['Content-Type'] = type;
  const r = await fetch(path, { method, headers, body });
  const text = await r.text();
  let json: unknown = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = { detail: text }; }
  }
  if (!r.ok) throw new ApiError(r.status, (json as ProblemBody) ?? {});
  return json as T;
}

const enc = encodeURIComponent;

export const api = {
  labs: () => request<LabSummary[]>('GET', '/api/labs'),
  lab: (id: number) => request<LabView>('GET', `/api/labs/${id}`),
  examples: () => request<Example[]>('GET', '/api/labs/examples'),
  createFromExample: (name: string) => request<LabView>('POST', `/api/labs?example=${enc(name)}`),
  createFromYaml: (yaml: string) => request<LabView>('POST', '/api/labs', yaml, 'application/yaml'),
  validate: async (yaml: string): Promise<Problem[]> => {
    try {
      await request('POST', '/api/labs/validate', yaml, 'application/yaml');
      return [];
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && e.problems.length) return e.problems;
      throw e;
    }
  },
  deleteLab: (id: number) => request<void>('DELETE', `/api/labs/${id}`),
  start: (labId: number, opts: { timeMode?: string; seed?: number; runtime?: string }) =>
    request<RunView>('POST', `/api/labs/${labId}/runs`, JSON.stringify(opts)),
  runs: (limit = 50) => request<RunView[]>('GET', `/api/runs?limit=${limit}`),
  run: (id: number) => request<RunView>('GET', `/api/runs/${id}`),
  stop: (id: number) => request<RunView>('POST', `/api/runs/${id}/stop`),
  advance: (id: number, duration: string) =>
    request<{ runId: number; labTimeNanos: number }>('POST', `/api/runs/${id}/advance`, JSON.stringify({ duration })),
  frames: (runId: number, query: URLSearchParams) => request<Page<FrameRow>>('GET', `/api/runs/${runId}/frames?${query}`),
  frame: (runId: number, seq: number) => request<FrameDetail>('GET', `/api/runs/${runId}/frames/${seq}`),
  events: (runId: number, query: URLSearchParams) => request<Page<StackEvent>>('GET', `/api/runs/${runId}/events?${query}`),
  conversations: (runId: number) => request<Conversation[]>('GET', `/api/runs/${runId}/conversations?limit=1000`),
  nodes: (runId: number) => request<NodeEntry[]>('GET', `/api/runs/${runId}/nodes`),
  node: (runId: number, node: string) => request<Record<string, unknown>>('GET', `/api/runs/${runId}/nodes/${enc(node)}`),
  captureUrl: (runId: number, query?: URLSearchParams) => `/api/runs/${runId}/capture.pcapng${query && [...query].length ? '?' + query : ''}`,
};

/** A Server-Sent Events parser for streams read with fetch (WHATWG HTML, "Server-sent events"). */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  constructor(private readonly onEvent: (event: string, data: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const sep = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      if (sep === 1 && this.buffer[nl] === '\r' && nl + 1 === this.buffer.length) break; // a \r\n may be split
      this.buffer = this.buffer.slice(nl + sep);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent(this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') this.event = value;
    else if (name === 'data') this.data.push(value);
  }
}

/**
 * Runs a command on a node with its output streamed: calls onLine per output line, resolves with
 * the outcome (or rejects with the server's error). Abort with the signal.
 */
export async function execStream(runId: number, node: string, command: string, onLine: (line: string) => void,
                                 signal?: AbortSignal, timeout?: string): Promise<ExecOutcome> {
  const r = await fetch(`/api/runs/${runId}/nodes/${enc(node)}/exec/stream`, {
    method: 'POST', signal,
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream, application/problem+json' },
    body: JSON.stringify(timeout ? { command, timeout } : { command }),
  });
  if (!r.ok || !r.body) {
    const text = await r.text();
    let p: ProblemBody = { detail: text };
    try { p = JSON.parse(text); } catch { /* not JSON */ }
    throw new ApiError(r.status, p);
  }
  let outcome: ExecOutcome | null = null;
  let error: string | null = null;
  const parser = new SseParser((event, data) => {
    if (event === 'output') onLine(data);
    else if (event === 'exit') outcome = JSON.parse(data) as ExecOutcome;
    else if (event === 'error') error = (JSON.parse(data) as { error: string }).error;
  });
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.push(value);
  }
  parser.push('\n\n');
  if (outcome) return outcome;
  throw new Error(error ?? 'the stream ended without an exit');
}
