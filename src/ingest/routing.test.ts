import { routingConfigSchema } from './config';
import { routeLead, type RoutingState } from './routing';

const U = (n: number) => `005${String(n).padStart(12, '0')}AAA`;
const config = routingConfigSchema.parse({
  rules: [
    { name: 'analytics specialists', when: { productInterest: ['Analytics'] }, assign: { ownerId: '00G000000000001AAA', label: 'Analytics queue' } },
    { name: 'DACH', when: { country: ['DE', 'AT', 'CH'] }, assign: { team: 'dach' } }
  ],
  teams: {
    dach: {
      members: [
        { userId: U(1), name: 'Anna', dailyCapacity: 2 },
        { userId: U(2), name: 'Bernd', outOfOffice: { from: '2026-11-20', to: '2026-11-30' } },
        { userId: U(3), name: 'Clara' }
      ],
      overflowOwnerId: '00G000000000002AAA'
    }
  },
  defaultOwnerId: '00G000000000009AAA'
});
const lead = (fields: Record<string, string>) => ({ source: 'csv', fields: { LastName: 'x', Company: 'y', Source_System__c: 'csv', Source_External_Id__c: 'csv:1', ...fields } });

describe('routeLead', () => {
  it('should send a product interest to the specialist queue first', () => {
    const state: RoutingState = { cursors: {}, assignedToday: {} };
    expect(routeLead(lead({ Product_Interest__c: 'Analytics', Country: 'DE' }), config, state, '2026-11-24')).toMatchObject({
      ownerId: '00G000000000001AAA',
      rule: 'analytics specialists',
      explanation: expect.stringContaining('Analytics queue')
    });
  });

  it('should round-robin the territory team skipping out-of-office users and respecting capacity', () => {
    const state: RoutingState = { cursors: {}, assignedToday: {} };
    const owners = Array.from({ length: 5 }, () => routeLead(lead({ Country: 'DE' }), config, state, '2026-11-24'));
    expect(owners.map((o) => o.ownerId)).toEqual([U(1), U(3), U(1), U(3), U(3)]);
    expect(owners[1]!.explanation).toContain('Bernd out of office');
    expect(owners[4]!.explanation).toContain('Anna at capacity 2/2');
  });

  it('should include the out-of-office user outside the range', () => {
    const state: RoutingState = { cursors: { dach: 1 }, assignedToday: {} };
    expect(routeLead(lead({ Country: 'AT' }), config, state, '2026-12-01').ownerId).toBe(U(2));
  });

  it('should overflow when nobody is available', () => {
    const state: RoutingState = { cursors: {}, assignedToday: { [U(1)]: 2 } };
    const noClara = { ...config, teams: { dach: { ...config.teams.dach!, members: config.teams.dach!.members.slice(0, 2) } } };
    expect(routeLead(lead({ Country: 'CH' }), noClara, state, '2026-11-24')).toMatchObject({ ownerId: '00G000000000002AAA' });
  });

  it('should fall back to the default owner when no rule matches', () => {
    expect(routeLead(lead({ Country: 'FR' }), config, { cursors: {}, assignedToday: {} }, '2026-11-24')).toEqual({
      ownerId: '00G000000000009AAA',
      rule: null,
      explanation: 'no rule matched -> default owner 00G000000000009AAA'
    });
  });
});
