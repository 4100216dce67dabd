// The terminal's input line: typing, backspace, history (up/down), Enter to run. Kept apart from
// xterm.js so its rules are testable; it returns what to echo.

export class LineEditor {
  line = '';
  private readonly history: string[] = [];
  private index = 0; // history position; history.length = the line being typed
  private draft = '';

  constructor(private readonly max = 200) {}

  /**
   * Handles terminal input (keys as xterm.js reports them, or pasted text). Returns the text to
   * write back (echo, erasures) and the commands completed by Enter.
   */
  input(data: string): { echo: string; commands: string[] } {
    let echo = '';
    const commands: string[] = [];
    if (data === '\x1b[A' || data === '\x1b[B') {
      return { echo: this.recall(data === '\x1b[A' ? -1 : 1), commands };
    }
    for (const ch of data) {
      if (ch === '\r' || ch === '\n') {
        echo += '\r\n';
        const c = this.line.trim();
        if (c) {
          if (this.history[this.history.length - 1] !== c) this.history.push(c);
          if (this.history.length > this.max) this.history.shift();
          commands.push(c);
        }
        this.line = '';
        this.index = this.history.length;
        this.draft = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line.length) {
          this.line = this.line.slice(0, -1);
          echo += '\b \b';
        }
      } else if (ch === '\x15') { // Ctrl-U: erase the line
        echo += '\b \b'.repeat(this.line.length);
        this.line = '';
      } else if (ch >= ' ' && ch !== '\x7f') {
        this.line += ch;
        echo += ch;
      }
      // other control characters (escape sequences of keys we do not use) are ignored
    }
    return { echo, commands };
  }

  private recall(direction: number): string {
    if (!this.history.length) return '';
    if (this.index === this.history.length) this.draft = this.line;
    const next = Math.max(0, Math.min(this.history.length, this.index + direction));
    if (next === this.index) return '';
    this.index = next;
    const erase = '\b \b'.repeat(this.line.length);
    this.line = next === this.history.length ? this.draft : this.history[next];
    return erase + this.line;
  }

  commandsSoFar(): readonly string[] {
    return this.history;
  }
}

/**
 * Program output as terminal text: control characters (ESC and the other C0/C1 codes but tab) are
 * shown as visible symbols, so what a node prints can never drive the terminal.
 */
export function printable(line: string): string {
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, c => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
  });
}
