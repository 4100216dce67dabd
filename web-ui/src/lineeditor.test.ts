import { LineEditor, printable } from './lineeditor';

describe('the terminal line', () => {
  it('echoes what is typed, erases with backspace, and runs on Enter', () => {
    const e = new LineEditor();
    expect(e.input('pinh').echo).toBe('pinh');
    expect(e.input('\x7f').echo).toBe('\b \b');
    const r = e.input('g -c 1 10.0.0.1\r');
    expect(r.commands).toEqual(['ping -c 1 10.0.0.1']);
    expect(e.line).toBe('');
  });

  it('recalls earlier commands with up and down, keeping the line being typed', () => {
    const e = new LineEditor();
    e.input('ip addr\r');
    e.input('ss -tan\r');
    e.input('dig');
    expect(e.input('\x1b[A').echo).toBe('\b \b'.repeat(3) + 'ss -tan');
    e.input('\x1b[A');
    expect(e.line).toBe('ip addr');
    e.input('\x1b[A'); // stays at the oldest
    expect(e.line).toBe('ip addr');
    e.input('\x1b[B');
    e.input('\x1b[B');
    expect(e.line).toBe('dig');
    expect(e.input('\r').commands).toEqual(['dig']);
    expect(e.commandsSoFar()).toEqual(['ip addr', 'ss -tan', 'dig']);
  });

  it('takes pasted lines as several commands, and skips blank ones', () => {
    const e = new LineEditor();
    expect(e.input('ip route\r\rping -c 1 x\r').commands).toEqual(['ip route', 'ping -c 1 x']);
  });
});

describe('program output', () => {
  it('cannot drive the terminal: escapes and control codes become visible symbols', () => {
    expect(printable('a\x1b[2Jb\x07c\td')).toBe('a\u241b[2Jb\u2407c\td');
    expect(printable('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });
});
