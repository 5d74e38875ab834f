import { reduceErrors, formatLabel } from 'c/ldsUtils';

describe('c/ldsUtils reduceErrors', () => {
  it.each([
    ['an Apex AuraHandledException', { body: { message: 'Apex says no' } }, ['Apex says no']],
    ['a UI API read error', { body: [{ message: 'A' }, { message: 'B' }] }, ['A', 'B']],
    ['page errors', { body: { pageErrors: [{ message: 'Page' }], output: {} } }, ['Page']],
    [
      'field errors',
      { body: { output: { fieldErrors: { Name: [{ message: 'Name is required' }] } } } },
      ['Name is required']
    ],
    ['a JavaScript error', new Error('Boom'), ['Boom']],
    ['a fetch failure', { statusText: 'Service Unavailable' }, ['Service Unavailable']],
    [
      'a list with duplicates and blanks',
      [new Error('Same'), new Error('Same'), null, { body: { message: ' ' } }],
      ['Same']
    ]
  ])('should return the messages of %s', (_name, errors, expected) => {
    expect(reduceErrors(errors)).toEqual(expected);
  });
});

describe('c/ldsUtils formatLabel', () => {
  it('should substitute numbered placeholders', () => {
    expect(formatLabel('{0} d {1} h', 2, 3)).toBe('2 d 3 h');
  });

  it('should leave missing values empty', () => {
    expect(formatLabel('Create new account: {0}', null)).toBe('Create new account: ');
  });
});
