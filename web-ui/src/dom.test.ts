import { el } from './dom';

describe('el', () => {
  it('puts strings in as text, never as markup', () => {
    const e = el('div', {}, '<img src=x onerror=alert(1)>', el('b', {}, '<script>x</script>'));
    expect(e.querySelector('img')).toBeNull();
    expect(e.querySelector('script')).toBeNull();
    expect(e.textContent).toBe('<img src=x onerror=alert(1)><script>x</script>');
  });

  it('sets attributes and listeners', () => {
    let clicked = 0;
    const b = el('button', { class: 'x', 'data-k': 7, disabled: false, onclick: () => clicked++ }, 'go');
    b.click();
    expect(b.className).toBe('x');
    expect(b.getAttribute('data-k')).toBe('7');
    expect(b.hasAttribute('disabled')).toBe(false);
    expect(clicked).toBe(1);
  });
});

describe('the sources', () => {
  // Whatever frames and nodes carry reaches the page through el() and textContent only.
  const sources = import.meta.glob(['./*.ts', '!./*.test.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

  it('never set markup from strings', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    for (const [file, text] of Object.entries(sources)) {
      expect(text, file).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/);
    }
  });
});
