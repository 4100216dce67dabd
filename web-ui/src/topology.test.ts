import { topologyElements } from './topology';

describe('topology graph', () => {
  const t = {
    name: 'x',
    segments: [{ name: 'lan', vni: 1 }, { name: 'wan', vni: 2 }, { name: 'spare', vni: 3 }],
    nodes: {
      pc1: { kind: 'host', interfaces: { eth0: { segment: 'lan', dhcp: true } } },
      r1: { kind: 'router', interfaces: { eth0: { segment: 'lan', address: '10.0.0.1/24' }, eth1: { segment: 'wan', address: '10.0.1.1/24' } } },
    },
  };

  it('has a vertex per node and segment and an edge per interface, labelled with its address', () => {
    const els = topologyElements(t);
    expect(els.filter(e => e.group === 'nodes').map(e => e.data.id).sort()).toEqual(['n:pc1', 'n:r1', 's:lan', 's:spare', 's:wan']);
    expect(els.find(e => e.data.id === 's:lan')!.data.label).toBe('lan');
    const edges = Object.fromEntries(els.filter(e => e.group === 'edges').map(e => [e.data.id, e.data]));
    expect(edges['e:r1:eth1']).toMatchObject({ source: 'n:r1', target: 's:wan', label: 'eth1 10.0.1.1/24' });
    expect(edges['e:pc1:eth0'].label).toBe('eth0 dhcp');
  });

  it('takes the addresses a live run has (a DHCP lease) over the file', () => {
    const els = topologyElements(t, [{ name: 'pc1', kind: 'host', running: true,
      interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['10.0.0.100/24'], rxFrames: 0, txFrames: 0 }] }]);
    expect(els.find(e => e.data.id === 'e:pc1:eth0')!.data.label).toBe('eth0 10.0.0.100/24');
  });
});
