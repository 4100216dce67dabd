import { impairmentBody } from './linksview';

describe('link impairments editor', () => {
  it('sends numbers as numbers, units and percentages as typed, and leaves blanks out', () => {
    expect(impairmentBody({ delay: '5ms', loss: '0.01', duplicate: '1%', rate: '', queue: '64kb', reorder_delay: ' 3ms ' }))
      .toEqual({ delay: '5ms', loss: 0.01, duplicate: '1%', queue: '64kb', reorder_delay: '3ms' });
  });
});
