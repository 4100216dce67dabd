// End to end in a real browser (Debian's Chromium driven by playwright-core) against a running
// control API: the journey lab from its example, a run in virtual time, `browse` in the laptop's
// terminal, the packet list with DHCP, DNS, ARP, TCP and HTTP, the SYN's flags in the layer tree
// with the flag byte highlighted in the hex; the ladder, the inspector; an HTTP body with markup
// shown as text. Screenshots at 1280x800 go to target/screenshots.
//   WIRELAB_URL=http://127.0.0.1:8080 npm run e2e      (WIRELAB_E2E=docker: a container run from the page
//   instead; WIRELAB_TOKEN=... for a server that asks for its token, as under docker compose)
// Exit status: 0 passed, 1 failed, 3 no Chromium (the caller decides whether that may skip).
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const base = (process.env.WIRELAB_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = process.env.WIRELAB_SCREENSHOTS ?? path.resolve('target', 'screenshots');
const t0 = Date.now();

if (!existsSync(executablePath)) {
  console.error(`e2e: no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  process.exit(3);
}
mkdirSync(shots, { recursive: true });

function log(step) {
  console.log(`e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s ${step}`);
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

const EVIL_LAB = `name: evil-body
segments: [lan]
nodes:
  pc1:
    kind: host
    interfaces: { eth0: { segment: lan, address: 10.0.0.10/24 } }
  web:
    kind: web
    interfaces: { eth0: { segment: lan, address: 10.0.0.80/24 } }
    files:
      /var/www/index.html: |
        <p>hello</p><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">
`;

// Two hosts for a container run (WIRELAB_E2E=docker): each node its own container.
const PAIR_LAB = `name: docker-pair
segments: [lan]
nodes:
  pc1: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.10/24 } } }
  pc2: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.20/24 } } }
`;

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const pageErrors = [];
page.on('pageerror', e => pageErrors.push(String(e)));
// An answer of 400 (the bad topology) is logged by the browser too: only other errors count.
page.on('console', m => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text()); });
page.on('dialog', d => d.accept());
page.setDefaultTimeout(30_000);
/** Lets lab time pass with the header's Advance, and waits until the status shows it. */
async function advance(duration, seconds) {
  const clock = () => Number(/t=([\d.]+)/.exec(document.querySelector('.run-status')?.textContent ?? '')?.[1] ?? NaN);
  const before = await page.evaluate(clock);
  await page.fill('input[name=advance]', duration);
  await page.click('button[name=advance-time]');
  await page.waitForFunction(([b, s, f]) => new Function(`return (${f})()`)() >= b + s - 1e-6, [before, seconds, clock.toString()]);
}
const shot = name => page.screenshot({ path: path.join(shots, `${name}.png`) });

/** A lab started on the docker runtime from the page: its nodes' terminals and packets work as embedded ones. */
async function dockerFlow() {
  // A server beyond loopback (docker compose) asks for its token: opening the page with it once
  // leaves it in a cookie for everything after.
  if (process.env.WIRELAB_TOKEN) await page.goto(`${base}/?token=${encodeURIComponent(process.env.WIRELAB_TOKEN)}`);
  await page.goto(`${base}/#/labs`);
  await page.waitForSelector('textarea[name=yaml]');
  // The lab of an earlier run (a long-lived server) goes first, through the API: the list may not be drawn yet.
  const earlier = await page.evaluate(async () => {
    const lab = (await (await fetch('/api/labs')).json()).find(l => l.name === 'docker-pair');
    if (lab) await fetch(`/api/labs/${lab.id}`, { method: 'DELETE' });
    return lab?.id ?? null;
  });
  if (earlier !== null) {
    await page.goto(`${base}/#/labs`);
    await page.waitForSelector('textarea[name=yaml]');
    log(`docker: lab ${earlier} of an earlier run deleted`);
  }
  await page.fill('textarea[name=yaml]', PAIR_LAB);
  await page.click('button[name=create-yaml]');
  await page.waitForSelector('tr[data-lab=docker-pair]');
  await page.selectOption('select[name=timeMode]', 'real');
  await page.selectOption('select[name=runtime]', 'docker');
  await page.click('button[name=start-run]');
  await page.waitForURL(/#\/runs\/\d+\/packets/, { timeout: 120_000 });
  const runId = Number(/#\/runs\/(\d+)/.exec(page.url())[1]);
  await page.waitForFunction(() => /docker runtime/.test(document.querySelector('.run-status')?.title ?? ''));
  log(`docker: run ${runId} started from the page on the docker runtime (${await page.getAttribute('.run-status', 'title')})`);
  await page.click('a[data-view=terminal]');
  await page.click('button[name=term-pc1]');
  await page.locator('.term[data-node=pc1] .xterm-helper-textarea').focus();
  await page.keyboard.type('ping -c 2 -i 0.2 10.0.0.20');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.term[data-node=pc1][data-exit="0"]', { timeout: 60_000 });
  const screen = await page.locator('.term[data-node=pc1] .xterm-rows').textContent();
  check(screen.includes('2 packets transmitted, 2 received'), `ping in pc1's container printed its summary: ${screen}`);
  await page.click('a[data-view=packets]');
  await page.fill('input[name=protocol]', 'icmp');
  await page.click('.pv-filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('.pl-body .pl-row[data-seq]').length >= 4, null, { timeout: 30_000 });
  await shot('docker-packets');
  log(`docker: ping pc1 -> pc2 across containers exit 0; ${await page.locator('.pl-body .pl-row[data-seq]').count()} ICMP frames in the list`);
  await page.click('button[name=stop-run]');
  await page.waitForFunction(() => /^stopped/.test(document.querySelector('.run-status')?.textContent ?? ''), null, { timeout: 60_000 });
  await page.click('a[data-view=labs]');
  await page.click('tr[data-lab=docker-pair] button[name=delete]');
  await page.waitForSelector('tr[data-lab=docker-pair]', { state: 'detached' });
  log('docker: run stopped, lab deleted');
}

try {
  if (process.env.WIRELAB_E2E === 'docker') {
    await dockerFlow();
    // Under docker compose, Docker cuts the page's open connections once, when the control API joins
    // the run's network (the published port's proxy moves): those fetches fail, and the page copes.
    const dropped = process.env.WIRELAB_E2E_CONNECTIONS_DROP === '1';
    const errors = pageErrors.filter(e => !(dropped && /Failed to fetch/.test(e)));
    check(errors.length === 0, `no errors in the page: ${errors.join('\n')}`);
    log(`passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${shots}`);
    await browser.close();
    process.exit(0);
  }
  // Labs: a topology with a mistake shows its problem at its line and path.
  await page.goto(`${base}/#/labs`);
  await page.waitForSelector('select[name=example] option[value=journey]', { state: 'attached' });
  await page.fill('textarea[name=yaml]', 'name: broken\nsegments: [lan]\nnodes:\n  pc1:\n    kind: host\n    interfaces:\n      eth0: { segment: lan, address: 10.0.0.300/24 }\n');
  await page.click('button[name=validate]');
  const problem = page.locator('ul.problems li.problem').first();
  await problem.waitFor();
  check(Number(await problem.getAttribute('data-line')) === 7, `the problem is on line 7: ${await problem.textContent()}`);
  check((await problem.getAttribute('data-path')).includes('nodes.pc1.interfaces.eth0'), `the problem names its field: ${await problem.textContent()}`);
  check(await page.locator('.editor .gutter .bad').count() === 1, 'the gutter marks the line');
  log('labs: a bad topology shows its problem at line 7, ' + (await problem.getAttribute('data-path')));

  // The labs of an earlier run (when pointed at a long-lived server) are deleted first.
  for (const name of ['journey', 'evil-body']) {
    if (await page.locator(`tr[data-lab=${name}]`).count()) {
      await page.click(`tr[data-lab=${name}] button[name=delete]`);
      await page.waitForSelector(`tr[data-lab=${name}]`, { state: 'detached' });
      log(`labs: ${name} of an earlier run deleted`);
    }
  }

  // Create the journey from its example and start it in virtual time.
  await page.selectOption('select[name=example]', 'journey');
  await page.click('button[name=create-example]');
  await page.waitForSelector('tr[data-lab=journey]');
  await shot('labs');
  await page.selectOption('select[name=timeMode]', 'virtual');
  await page.fill('input[name=seed]', '3');
  await page.click('button[name=start-run]');
  await page.waitForURL(/#\/runs\/\d+\/packets/);
  const runId = Number(/#\/runs\/(\d+)/.exec(page.url())[1]);
  log(`journey started: run ${runId}`);

  // Step mode, on the ladder: each Step moves the cursor by exactly one frame or event (none
  // skipped, in causal order); past what the lab has done at t=0, the stepper lets virtual time pass.
  await page.click('a[data-view=ladder]');
  await page.waitForSelector('.ld-frame');
  const cursors = [];
  for (let i = 1; i <= 125; i++) {
    await page.click('button[name=step]');
    await page.waitForFunction(n => document.querySelector('.stepper')?.dataset.steps === String(n), i, { timeout: 20_000 });
    cursors.push(await page.evaluate(() => ({ key: document.querySelector('.stepper').dataset.cursor,
      t: Number(/t=([\d.]+)/.exec(document.querySelector('.cursor-label').textContent)[1]) })));
  }
  const seqs = type => cursors.filter(c => c.key.startsWith(type)).map(c => Number(c.key.slice(2)));
  check(new Set(cursors.map(c => c.key)).size === cursors.length, `no frame or event twice: ${cursors.map(c => c.key)}`);
  check(seqs('f:').every((v, i) => v === i), `the frames one by one in order: ${seqs('f:')}`);
  // every frame and event of the trace before the cursor's time was a step of its own
  const lastT = cursors[cursors.length - 1].t;
  const earlier = await page.evaluate(async ([run, t]) => {
    const get = async path => (await (await fetch(path)).json()).items;
    const ns = Math.round(t * 1e9);
    return [...(await get(`/api/runs/${run}/frames?to=${ns}&limit=1000`)).map(f => `f:${f.seq}`),
      ...(await get(`/api/runs/${run}/events?to=${ns}&limit=1000`)).map(e => `e:${e.seq}`)];
  }, [runId, lastT]);
  const stepped = new Set(cursors.map(c => c.key));
  const skipped = earlier.filter(k => !stepped.has(k));
  check(earlier.length > 100 && skipped.length === 0, `${earlier.length} items before t=${lastT} s, skipped: ${skipped}`);
  check(cursors.every((c, i) => i === 0 || c.t >= cursors[i - 1].t), 'the cursor never goes back in time');
  check(cursors[cursors.length - 1].t > 0, `stepping past t=0 let lab time pass: ${JSON.stringify(cursors.slice(-3))}`);
  check(await page.locator('.ld-canvas .cursor').count() === 1, 'the ladder marks the cursor');
  await shot('step-mode');
  log(`step mode: 125 steps = ${seqs('f:').length} frames + ${seqs('e:').length} events, none skipped; cursor at t=${cursors[cursors.length - 1].t} s`);

  // The laptop boots (DHCP) in 20 s of lab time, then browses.
  await advance('20s', 20);
  await page.click('a[data-view=terminal]');
  await page.click('button[name=term-pc1]');
  const term = page.locator('.term[data-node=pc1]');
  await term.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('browse http://www.example.com/');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.term[data-node=pc1][data-exit="0"]', { timeout: 60_000 });
  const screen = await term.locator('.xterm-rows').textContent();
  check(screen.includes('HTTP/1.1 200 OK'), `browse printed the response: ${screen}`);
  await shot('terminal');
  log('terminal: browse http://www.example.com/ exit 0, HTTP/1.1 200 OK');

  // The last ACKs cross in a second of lab time; the web server's side of the connection is then
  // gone (LAST-ACK -> CLOSED) or in TIME-WAIT; its listener stays.
  await advance('1s', 1);
  await page.click('a[data-view=inspector]');
  await page.click('button[name=inspect-web]');
  await page.waitForSelector('h3:text("web (web)")');
  const sockets = await page.$$eval('table[data-table=sockets] tbody tr', rows => rows.map(r =>
    Object.fromEntries([...r.querySelectorAll('td')].map(td => [td.dataset.col, td.textContent]))));
  check(sockets.some(s => s.state === 'LISTEN' && s.local === '0.0.0.0:80'), `httpd still listens: ${JSON.stringify(sockets)}`);
  const conn = sockets.filter(s => s.remote.startsWith('192.168.1.100:'));
  check(conn.every(s => /TIME.WAIT/.test(s.state)), `the web server's connection is gone or in TIME-WAIT: ${JSON.stringify(conn)}`);
  check(await page.locator('section.insp[data-section="TCP over time"] svg.spark').count() > 0, 'the connection\'s cwnd/RTT/RTO charts');
  await shot('inspector');
  log(`inspector: web's connection ${conn.length ? conn[0].state : 'gone'}, httpd listening`);

  // Packets: every protocol of the journey is in the list (scrolled through: it is virtualized).
  await page.click('a[data-view=packets]');
  await page.waitForSelector('.pl-body .pl-row[data-seq]');
  const seen = await page.evaluate(async () => {
    const scroller = document.querySelector('.pl-scroll');
    const protocols = new Set();
    for (let top = 0; top <= scroller.scrollHeight; top += scroller.clientHeight / 2) {
      scroller.scrollTop = top;
      await new Promise(r => setTimeout(r, 150));
      for (const c of document.querySelectorAll('.pl-body .pl-row[data-seq] .c-proto')) protocols.add(c.textContent);
    }
    scroller.scrollTop = 0;
    return [...protocols];
  });
  for (const p of ['DHCP', 'DNS', 'ARP', 'TCP', 'HTTP']) check(seen.includes(p), `the list shows ${p} frames: ${seen}`);
  log(`packets: protocols in the list: ${seen.join(' ')}`);
  const inDom = await page.locator('.pl-body .pl-row').count();
  check(inDom < 80, `the list is virtualized (${inDom} rows in the DOM)`);

  // The keyboard alone: arrows and Home/End move the selection (the frame opens in the detail),
  // and a field of the layer tree takes Enter to highlight its bytes.
  const selectedIndex = () => page.evaluate(() => Number(document.querySelector('.pl-row[aria-selected=true]')?.dataset.index ?? -1));
  await page.focus('.pl-scroll');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('.pl-row[aria-selected=true]')?.dataset.index === '2');
  await page.locator('.fd-field').first().waitFor();
  await page.focus('.fd-field');
  await page.keyboard.press('Enter');
  check(await page.locator('.fd-hex .b.hl').count() > 0, 'Enter on a field highlights its bytes');
  await page.focus('.pl-scroll');
  await page.keyboard.press('End');
  await page.waitForFunction(() => Number(document.querySelector('.pl-row[aria-selected=true]')?.dataset.index ?? 0) > 100);
  log(`keyboard: Home, ArrowDown x2 selected frame 2, Enter on a field highlighted its bytes, End selected frame ${await selectedIndex()}`);

  // The SYN: its flags in the tree, the flag byte highlighted in the hex.
  await page.fill('input[name=text]', 'Flags [S],');
  await page.click('.pv-filters button[type=submit]');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('.pl-body .pl-row[data-seq]')];
    return rows.length > 0 && rows.every(r => r.querySelector('.c-info').textContent.includes('Flags [S],'));
  });
  await page.locator('.pl-body .pl-row[data-seq]').first().click();
  const flags = page.locator('.fd-field[data-name="flags"]').last();
  await flags.waitFor();
  check((await flags.textContent()).includes('SYN'), `the flags field says SYN: ${await flags.textContent()}`);
  await flags.click();
  const hl = page.locator('.fd-hex .b.hl');
  check(await hl.count() === 1, `one byte highlighted (${await hl.count()})`);
  check(await hl.textContent() === '02', `the flag byte is 0x02 (SYN): ${await hl.textContent()}`);
  check(await hl.getAttribute('data-i') === '47', `the flag byte is at offset 47: ${await hl.getAttribute('data-i')}`);
  const syn = page.locator('.fd-field[data-name="flags.syn"]');
  await syn.click();
  check(await page.locator('.fd-hex .b.hl-bits').count() === 1, 'the SYN bit: its byte marked as part of it');
  await flags.click();
  await shot('packets');
  log('packets: SYN selected, flags 0x02 (SYN) at byte 47 highlighted');

  // Ladder: the resolver's walk root -> com. -> example.com. and the handshake, hop by hop.
  await page.click('a[data-view=ladder]');
  await page.waitForSelector('.ld-frame[data-proto=DNS]');
  const arrows = await page.$$eval('.ld-frame', gs => gs.map(g => ({ proto: g.dataset.proto, from: g.dataset.from, to: g.dataset.to,
    label: g.querySelector('title').textContent })));
  const hop = (proto, from, to, text) => arrows.some(a => a.proto === proto && a.from === from && a.to === to && (!text || a.label.includes(text)));
  // resolver (isp segment) -> isp router -> root, com (core); -> isp -> dc -> ns1 (dc segment)
  for (const [from, to] of [['resolver', 'isp'], ['isp', 'root'], ['isp', 'com'], ['isp', 'dc'], ['dc', 'ns1']]) {
    check(hop('DNS', from, to), `a DNS arrow ${from} -> ${to}: ${JSON.stringify(arrows.filter(a => a.proto === 'DNS'))}`);
  }
  const dnsTargets = arrows.filter(a => a.proto === 'DNS' && ['root', 'com', 'ns1'].includes(a.to)).map(a => a.to);
  check(dnsTargets.join(' ') === 'root com ns1', `the resolver asks root, then com., then example.com.'s server: ${dnsTargets}`);
  for (const [from, to] of [['pc1', 'home'], ['home', 'isp'], ['isp', 'dc'], ['dc', 'web']]) {
    check(hop('TCP', from, to, 'Flags [S],'), `the SYN crosses ${from} -> ${to}`);
    check(hop('TCP', to, from, 'Flags [S.]'), `the SYN-ACK crosses ${to} -> ${from}`);
  }
  check(await page.locator('.ld-event[data-layer=tcp][data-kind=state]').count() > 0, 'TCP state changes are marks on the lanes');
  await page.locator('.ld-frame[data-proto=TCP]').first().click();
  await page.locator('.ld-side .fd-field[data-name="flags"]').first().waitFor();
  await shot('ladder');
  // the arrow's frame, selected in the packet list
  const synSeq = await page.locator('.ld-frame[data-proto=TCP]').first().getAttribute('data-seq');
  await page.click('.ld-side a.ld-open');
  await page.waitForSelector(`.pl-body .pl-row.selected[data-seq="${synSeq}"]`);
  await page.click('a[data-view=ladder]');
  log(`ladder: ${arrows.length} arrows; DNS root -> com -> ns1 and the handshake hop by hop`);

  // Topology: every node and segment drawn.
  await page.click('a[data-view=topology]');
  await page.waitForSelector('.topo-graph canvas');
  await page.waitForTimeout(500);
  await page.click('button[name=node-web]');
  check((await page.locator('.topo-side tr[data-if=eth0]').textContent()).includes('93.184.216.34/24'), 'the web server\'s interface and address');
  await page.click('button[name=topo-back]');
  await page.click('button[name=node-pc1]');
  check((await page.locator('.topo-side tr[data-if=eth0]').textContent()).includes('192.168.1.1'), 'pc1\'s address from its DHCP lease');
  const clipped = await page.evaluate(() => {
    const side = document.querySelector('.topo-side').getBoundingClientRect();
    return [...document.querySelectorAll('.topo-side td, .topo-side th')].filter(c => c.getBoundingClientRect().right > side.right + 0.5)
      .map(c => c.textContent);
  });
  check(clipped.length === 0, `the side panel's table fits its width at 1280x800, nothing cut off: ${clipped}`);
  await shot('topology');
  // a step onto a frame sends it along its link
  const flashes = () => page.evaluate(() => Number(document.querySelector('.topo-graph').dataset.flashes ?? 0));
  const before = await flashes();
  for (let i = 0; i < 40 && await flashes() === before; i++) {
    const steps = Number(await page.getAttribute('.stepper', 'data-steps'));
    await page.click('button[name=step]');
    await page.waitForFunction(n => Number(document.querySelector('.stepper').dataset.steps) > n, steps);
  }
  const port = await page.getAttribute('.topo-graph', 'data-last-port');
  check(await flashes() > before, 'stepping onto a frame animates its link');
  check((await page.getAttribute('.stepper', 'data-cursor')).startsWith('f:'), 'the cursor is on that frame');
  log(`topology: web's and pc1's interfaces (its DHCP lease) in the side panel; a step onto a frame animated link ${port}`);

  // Links: the access link gets slower while the run is live.
  await page.click('a[data-view=links]');
  await page.fill('input[name="access.delay"]', '15ms');
  await page.fill('input[name="access.loss"]', '1%');
  await page.click('button[name=apply-access]');
  await page.waitForFunction(() => /^access: delay 15ms.* loss 0\.01/.test(document.querySelector('.view.links .message')?.textContent ?? ''));
  await shot('links');
  log('links: access delay 15ms, loss 1% applied to the live run');

  // A lab written in the editor whose web server serves markup: it is shown as text everywhere.
  await page.click('a[data-view=labs]');
  await page.fill('textarea[name=yaml]', EVIL_LAB);
  await page.click('button[name=create-yaml]');
  await page.waitForSelector('tr[data-lab=evil-body]');
  // in real time this one: the packet list grows by itself (live stream and status), no Advance
  await page.selectOption('select[name=timeMode]', 'real');
  await page.click('button[name=start-run]');
  await page.waitForURL(/#\/runs\/\d+\/packets/);
  await page.click('a[data-view=terminal]');
  await page.click('button[name=term-pc1]');
  await page.locator('.term[data-node=pc1] .xterm-helper-textarea').focus();
  await page.keyboard.type('curl -s http://10.0.0.80/');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.term[data-node=pc1][data-exit="0"]');
  check((await page.locator('.term[data-node=pc1] .xterm-rows').textContent()).includes('<script>window.pwned = 1</script>'), 'curl prints the body');
  check(await page.locator('button[name=advance-time]').count() === 0, 'no Advance in real time');
  await page.click('a[data-view=packets]');
  await page.fill('input[name=protocol]', 'http');
  await page.fill('input[name=text]', '');
  await page.fill('input[name=node]', 'web');
  await page.click('.pv-filters button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('.pl-body .pl-row[data-seq] .c-proto')].some(c => c.textContent === 'HTTP'));
  // the response's headers, then its body
  await page.locator('.pl-body .pl-row.p-http').first().click();
  const text = page.locator('.fd-text');
  await text.waitFor();
  check((await text.textContent()).startsWith('HTTP/1.1 200 OK\n'), `the response headers as text: ${await text.textContent()}`);
  await page.locator('.pl-body .pl-row.p-http').nth(1).click();
  await page.waitForFunction(() => document.querySelector('.fd-text')?.textContent.startsWith('<p>'));
  check((await text.textContent()).includes('<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'), `the body as text: ${await text.textContent()}`);
  const injected = await page.evaluate(() => ({ pwned: window.pwned, imgs: document.querySelectorAll('img').length,
    scripts: [...document.querySelectorAll('script')].filter(s => !s.src).length }));
  check(injected.pwned === undefined && injected.imgs === 0 && injected.scripts === 0, `nothing of the body ran or rendered: ${JSON.stringify(injected)}`);
  await text.scrollIntoViewIfNeeded();
  await shot('payload-as-text');
  // the filtered list grows while it is shown: another client fetches the page again
  const httpRows = () => page.locator('.pl-body .pl-row.p-http').count();
  const had = await httpRows();
  await page.evaluate(async run => {
    await fetch(`/api/runs/${run}/nodes/pc1/exec`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: 'curl -s http://10.0.0.80/' }) });
  }, Number(/#\/runs\/(\d+)/.exec(page.url())[1]));
  await page.waitForFunction(n => document.querySelectorAll('.pl-body .pl-row.p-http').length >= n + 2, had, { timeout: 20_000 });
  log(`packets (real time): the filtered list grew from ${had} to ${await httpRows()} HTTP frames by itself`);
  await page.click('button[name=stop-run]');
  await page.waitForFunction(() => /^stopped/.test(document.querySelector('.run-status')?.textContent ?? ''));
  await page.click('a[data-view=labs]');
  await page.click('tr[data-lab=evil-body] button[name=delete]');
  await page.waitForSelector('tr[data-lab=evil-body]', { state: 'detached' });
  log('payload (a real-time run): <script> and <img onerror> in an HTTP body shown as text, nothing ran; run stopped, lab deleted');

  // Deleting the journey stops its run too: the server is left as it was found.
  await page.click('tr[data-lab=journey] button[name=delete]');
  await page.waitForSelector('tr[data-lab=journey]', { state: 'detached' });

  check(pageErrors.length === 0, `no errors in the page: ${pageErrors.join('\n')}`);
  log(`passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${shots}`);
} catch (e) {
  await shot('failure').catch(() => {});
  console.error(`e2e: FAILED: ${e.stack ?? e}`);
  if (pageErrors.length) console.error(`e2e: page errors:\n${pageErrors.join('\n')}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
