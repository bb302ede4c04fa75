// The record filter of a restore (`--where`) reads SOQL's WHERE syntax and gives SOQL's answers over
// the snapshot's CSV cells ('' is null), and refuses what it cannot answer with the place and a fix.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileFilter, dateLiteralRange } from '../../../src/restore/filter/index.ts';
import { RestorePlanError } from '../../../src/restore/plan-errors.ts';

const FIELDS = new Map(
  Object.entries({
    Id: 'id',
    Name: 'string',
    Industry: 'picklist',
    Description: 'textarea',
    Colors__c: 'multipicklist',
    AnnualRevenue: 'currency',
    NumberOfEmployees: 'int',
    Share__c: 'percent',
    IsActive__c: 'boolean',
    CloseDate__c: 'date',
    CreatedDate: 'datetime',
    ParentId: 'reference',
    Website: 'url',
    BillingAddress: 'address',
    BillingCity: 'string',
  }),
);

/** Sunday 15 March 2026, noon UTC. */
const NOW = new Date('2026-03-15T12:00:00Z');

type Row = Record<string, string>;

function row(name: string, cells: Row = {}): Row {
  const out: Row = {};
  for (const f of FIELDS.keys()) out[f] = '';
  return { ...out, Name: name, ...cells };
}

/** The names of the rows the filter takes, in order. */
function pick(where: string, rows: readonly Row[], fields: ReadonlyMap<string, string> = FIELDS): string[] {
  const filter = compileFilter(where, 'Account', fields, NOW);
  return rows.filter((r) => filter(r)).map((r) => r['Name'] as string);
}

/** The error a filter is refused with: always a RestorePlanError a person acts on. */
function refusal(where: string): RestorePlanError {
  try {
    compileFilter(where, 'Account', FIELDS, NOW);
  } catch (err) {
    assert.ok(err instanceof RestorePlanError, `not a RestorePlanError: ${String(err)}`);
    assert.equal(err.reason, 'bad_selection');
    assert.equal(err.state, 'misconfigured');
    assert.notEqual(err.remedy, '');
    return err;
  }
  assert.fail(`accepted: ${where}`);
}

describe('text', () => {
  const rows = [row('Acme', { Industry: 'Banking' }), row('Globex', { Industry: 'banking' }), row('Initech', { Industry: 'Retail' }), row('Hooli')];

  test('= and != compare case-insensitively; != takes the empty cells too', () => {
    assert.deepEqual(pick("Industry = 'BANKING'", rows), ['Acme', 'Globex']);
    assert.deepEqual(pick("Industry != 'banking'", rows), ['Initech', 'Hooli']);
    assert.deepEqual(pick("Industry <> 'Banking'", rows), ['Initech', 'Hooli']);
  });

  test("an empty cell is null: = null, != null, and '' the same", () => {
    assert.deepEqual(pick('Industry = null', rows), ['Hooli']);
    assert.deepEqual(pick('Industry != NULL', rows), ['Acme', 'Globex', 'Initech']);
    assert.deepEqual(pick("Industry = ''", rows), ['Hooli']);
    assert.deepEqual(pick("Industry != ''", rows), ['Acme', 'Globex', 'Initech']);
  });

  test('a cell missing from the row is null', () => {
    const filter = compileFilter('Industry = null', 'Account', FIELDS, NOW);
    assert.equal(filter({ Name: 'no Industry column' }), true);
  });

  test('text outside ASCII compares case-insensitively too', () => {
    const names = [row('Ölwerk', { BillingCity: 'MÜNCHEN' }), row('Kelvin', { BillingCity: '\u212Aiel' }), row('Kiel', { BillingCity: 'Kiel' })];
    assert.deepEqual(pick("BillingCity = 'münchen'", names), ['Ölwerk']);
    // The Kelvin sign lower-cases to an ASCII k, as SOQL's case-insensitive comparison folds it.
    assert.deepEqual(pick("BillingCity = 'kiel'", names), ['Kelvin', 'Kiel']);
  });

  test('<, <=, >, >= order text case-insensitively and never take a null', () => {
    assert.deepEqual(pick("Name < 'globex'", rows), ['Acme']);
    assert.deepEqual(pick("Name <= 'GLOBEX'", rows), ['Acme', 'Globex']);
    assert.deepEqual(pick("Name > 'globex'", rows), ['Initech', 'Hooli']);
    assert.deepEqual(pick("Name >= 'Hooli'", rows), ['Initech', 'Hooli']);
    assert.deepEqual(pick("Industry < 'zzz'", rows), ['Acme', 'Globex', 'Initech']);
  });

  test('escapes in a string literal are read as SOQL reads them', () => {
    const quoted = [row("O'Brien"), row('Tab\there'), row('back\\slash')];
    assert.deepEqual(pick("Name = 'o\\'brien'", quoted), ["O'Brien"]);
    assert.deepEqual(pick("Name = 'tab\\there'", quoted), ['Tab\there']);
    assert.deepEqual(pick("Name = 'back\\\\slash'", quoted), ['back\\slash']);
  });
});

describe('LIKE', () => {
  const rows = [
    row('Acme Corp'),
    row('acme'),
    row('Big Acme'),
    row('100% Acme'),
    row('100 Acme'),
    row('A_B'),
    row('AxB'),
    row('AxxB'),
    row('a.c'),
    row('abc'),
    row('Multi', { Description: 'first line\nsecond line' }),
  ];

  test('% is any run of characters and _ one character, case-insensitively', () => {
    assert.deepEqual(pick("Name LIKE 'acme%'", rows), ['Acme Corp', 'acme']);
    assert.deepEqual(pick("Name LIKE '%ACME'", rows), ['acme', 'Big Acme', '100% Acme', '100 Acme']);
    assert.deepEqual(pick("Name LIKE 'a_b'", rows), ['A_B', 'AxB']);
    assert.deepEqual(pick("Name LIKE 'acme'", rows), ['acme']);
  });

  test('\\% and \\_ are the characters themselves', () => {
    assert.deepEqual(pick("Name LIKE '100\\% %'", rows), ['100% Acme']);
    assert.deepEqual(pick("Name LIKE 'a\\_b'", rows), ['A_B']);
  });

  test('characters special to regular expressions are plain characters', () => {
    assert.deepEqual(pick("Name LIKE 'a.c'", rows), ['a.c']);
    assert.deepEqual(pick("Name LIKE '(%'", rows), []);
  });

  test('% spans lines; a null cell never matches, not even %', () => {
    assert.deepEqual(pick("Description LIKE 'first%line'", rows), ['Multi']);
    assert.deepEqual(pick("Description LIKE '%'", rows), ['Multi']);
    assert.deepEqual(pick("NOT Description LIKE 'first%'", rows).length, rows.length - 1);
  });
});

describe('numbers', () => {
  const rows = [
    row('Small', { AnnualRevenue: '999.5', NumberOfEmployees: '9', Share__c: '12.5' }),
    row('Big', { AnnualRevenue: '1000.0', NumberOfEmployees: '10', Share__c: '50' }),
    row('Huge', { AnnualRevenue: '1.5E7', NumberOfEmployees: '100000' }),
    row('Unknown'),
  ];

  test('compare as numbers, not as text', () => {
    assert.deepEqual(pick('NumberOfEmployees < 10', rows), ['Small']);
    assert.deepEqual(pick('NumberOfEmployees >= 10', rows), ['Big', 'Huge']);
    assert.deepEqual(pick('AnnualRevenue = 1000', rows), ['Big']);
    assert.deepEqual(pick('AnnualRevenue > 1000', rows), ['Huge']);
    assert.deepEqual(pick('AnnualRevenue <= 999.5', rows), ['Small']);
    assert.deepEqual(pick('Share__c > 12.4', rows), ['Small', 'Big']);
    assert.deepEqual(pick('NumberOfEmployees > -1', rows), ['Small', 'Big', 'Huge']);
  });

  test('null is not a number: never ordered, != takes it', () => {
    assert.deepEqual(pick('AnnualRevenue != 1000', rows), ['Small', 'Huge', 'Unknown']);
    assert.deepEqual(pick('AnnualRevenue = null', rows), ['Unknown']);
    assert.deepEqual(pick('NOT AnnualRevenue > 0', rows), ['Unknown']);
  });

  test('IN and NOT IN', () => {
    assert.deepEqual(pick('NumberOfEmployees IN (9, 100000)', rows), ['Small', 'Huge']);
    assert.deepEqual(pick('NumberOfEmployees NOT IN (9, 100000)', rows), ['Big', 'Unknown']);
    assert.deepEqual(pick('NumberOfEmployees NOT IN (9, null)', rows), ['Big', 'Huge']);
    assert.deepEqual(pick('NumberOfEmployees IN (10.0, null)', rows), ['Big', 'Unknown']);
  });
});

describe('booleans', () => {
  const rows = [row('On', { IsActive__c: 'true' }), row('Off', { IsActive__c: 'false' }), row('Upper', { IsActive__c: 'TRUE' }), row('Empty')];

  test('true and false; a checkbox is never null, an empty cell is false', () => {
    assert.deepEqual(pick('IsActive__c = true', rows), ['On', 'Upper']);
    assert.deepEqual(pick('IsActive__c = FALSE', rows), ['Off', 'Empty']);
    assert.deepEqual(pick('IsActive__c != true', rows), ['Off', 'Empty']);
    assert.deepEqual(pick('IsActive__c = null', rows), []);
    assert.deepEqual(pick('IsActive__c IN (true)', rows), ['On', 'Upper']);
  });
});

describe('dates and datetimes', () => {
  const days = [
    row('LastYear', { CloseDate__c: '2025-12-31' }),
    row('NewYear', { CloseDate__c: '2026-01-01' }),
    row('LastMonthEnd', { CloseDate__c: '2026-02-28' }),
    row('MonthStart', { CloseDate__c: '2026-03-01' }),
    row('WeekStart', { CloseDate__c: '2026-03-08' }),
    row('Yesterday', { CloseDate__c: '2026-03-14' }),
    row('Today', { CloseDate__c: '2026-03-15' }),
    row('Tomorrow', { CloseDate__c: '2026-03-16' }),
    row('NoDate'),
  ];

  test('a date field against dates', () => {
    assert.deepEqual(pick('CloseDate__c = 2026-03-15', days), ['Today']);
    assert.deepEqual(pick('CloseDate__c < 2026-01-01', days), ['LastYear']);
    assert.deepEqual(pick('CloseDate__c >= 2026-03-14', days), ['Yesterday', 'Today', 'Tomorrow']);
    assert.deepEqual(pick('CloseDate__c IN (2025-12-31, 2026-03-16)', days), ['LastYear', 'Tomorrow']);
  });

  test('date literals are day ranges in UTC around now', () => {
    assert.deepEqual(pick('CloseDate__c = TODAY', days), ['Today']);
    assert.deepEqual(pick('CloseDate__c = YESTERDAY', days), ['Yesterday']);
    assert.deepEqual(pick('CloseDate__c = TOMORROW', days), ['Tomorrow']);
    // LAST_N_DAYS:n runs from n days ago through today.
    assert.deepEqual(pick('CloseDate__c = LAST_N_DAYS:1', days), ['Yesterday', 'Today']);
    assert.deepEqual(pick('CloseDate__c = LAST_N_DAYS:7', days), ['WeekStart', 'Yesterday', 'Today']);
    assert.deepEqual(pick('CloseDate__c = N_DAYS_AGO:7', days), ['WeekStart']);
    assert.deepEqual(pick('CloseDate__c = NEXT_N_DAYS:1', days), ['Tomorrow']);
    assert.deepEqual(pick('CloseDate__c = THIS_MONTH', days), ['MonthStart', 'WeekStart', 'Yesterday', 'Today', 'Tomorrow']);
    assert.deepEqual(pick('CloseDate__c = LAST_MONTH', days), ['LastMonthEnd']);
    assert.deepEqual(pick('CloseDate__c = LAST_YEAR', days), ['LastYear']);
    assert.deepEqual(pick('CloseDate__c = THIS_YEAR', days), ['NewYear', 'LastMonthEnd', 'MonthStart', 'WeekStart', 'Yesterday', 'Today', 'Tomorrow']);
    // Weeks start on Sunday: 15 March 2026 is one, so this week is 15–21 March.
    assert.deepEqual(pick('CloseDate__c = THIS_WEEK', days), ['Today', 'Tomorrow']);
    assert.deepEqual(pick('CloseDate__c = LAST_WEEK', days), ['WeekStart', 'Yesterday']);
  });

  test('ordering and != against a date literal compare with its first and last day', () => {
    assert.deepEqual(pick('CloseDate__c < THIS_MONTH', days), ['LastYear', 'NewYear', 'LastMonthEnd']);
    assert.deepEqual(pick('CloseDate__c <= YESTERDAY', days), ['LastYear', 'NewYear', 'LastMonthEnd', 'MonthStart', 'WeekStart', 'Yesterday']);
    assert.deepEqual(pick('CloseDate__c > YESTERDAY', days), ['Today', 'Tomorrow']);
    assert.deepEqual(pick('CloseDate__c >= TODAY', days), ['Today', 'Tomorrow']);
    assert.deepEqual(pick('CloseDate__c != THIS_YEAR', days), ['LastYear', 'NoDate']);
    assert.deepEqual(pick('CloseDate__c IN (LAST_YEAR, TOMORROW, null)', days), ['LastYear', 'Tomorrow', 'NoDate']);
    assert.deepEqual(pick('CloseDate__c NOT IN (LAST_YEAR, THIS_MONTH)', days), ['NewYear', 'LastMonthEnd', 'NoDate']);
  });

  const times = [
    row('LateYesterday', { CreatedDate: '2026-03-14T23:59:59.999Z' }),
    row('Midnight', { CreatedDate: '2026-03-15T00:00:00.000Z' }),
    row('Morning', { CreatedDate: '2026-03-15T08:15:00.000Z' }),
    row('RestSpelling', { CreatedDate: '2026-03-15T09:00:00.000+0000' }),
    row('NoTime'),
  ];

  test('a datetime field compares instants, whatever the zone of the literal', () => {
    assert.deepEqual(pick('CreatedDate = 2026-03-15T08:15:00Z', times), ['Morning']);
    assert.deepEqual(pick('CreatedDate = 2026-03-15T09:15:00+01:00', times), ['Morning']);
    assert.deepEqual(pick('CreatedDate = 2026-03-15T03:15:00.000-05:00', times), ['Morning']);
    assert.deepEqual(pick('CreatedDate > 2026-03-15T08:15:00Z', times), ['RestSpelling']);
    assert.deepEqual(pick('CreatedDate >= 2026-03-15T00:00:00Z', times), ['Midnight', 'Morning', 'RestSpelling']);
    assert.deepEqual(pick('CreatedDate < 2026-03-15T00:00:00Z', times), ['LateYesterday']);
    assert.deepEqual(pick('CreatedDate = 2026-03-15T09:00:00Z', times), ['RestSpelling']);
    assert.deepEqual(pick('CreatedDate = null', times), ['NoTime']);
  });

  test('a date literal against a datetime field covers its UTC days', () => {
    assert.deepEqual(pick('CreatedDate = TODAY', times), ['Midnight', 'Morning', 'RestSpelling']);
    assert.deepEqual(pick('CreatedDate = YESTERDAY', times), ['LateYesterday']);
    assert.deepEqual(pick('CreatedDate < TODAY', times), ['LateYesterday']);
    assert.deepEqual(pick('CreatedDate > YESTERDAY', times), ['Midnight', 'Morning', 'RestSpelling']);
    assert.deepEqual(pick('CreatedDate = LAST_N_DAYS:1', times), ['LateYesterday', 'Midnight', 'Morning', 'RestSpelling']);
    assert.deepEqual(pick('CreatedDate != TODAY', times), ['LateYesterday', 'NoTime']);
  });

  test('the ranges of other date literals', () => {
    const at = NOW.getTime();
    assert.deepEqual(dateLiteralRange('THIS_QUARTER', at), { lo: '2026-01-01', hi: '2026-04-01' });
    assert.deepEqual(dateLiteralRange('LAST_QUARTER', at), { lo: '2025-10-01', hi: '2026-01-01' });
    assert.deepEqual(dateLiteralRange('NEXT_MONTH', at), { lo: '2026-04-01', hi: '2026-05-01' });
    assert.deepEqual(dateLiteralRange('LAST_90_DAYS', at), { lo: '2025-12-15', hi: '2026-03-16' });
    assert.deepEqual(dateLiteralRange('LAST_N_MONTHS:2', at), { lo: '2026-01-01', hi: '2026-03-01' });
    assert.deepEqual(dateLiteralRange('NEXT_N_WEEKS:1', at), { lo: '2026-03-22', hi: '2026-03-29' });
    assert.deepEqual(dateLiteralRange('N_YEARS_AGO:2', at), { lo: '2024-01-01', hi: '2025-01-01' });
    assert.deepEqual(dateLiteralRange('THIS_FISCAL_YEAR', at), { lo: '2026-01-01', hi: '2027-01-01' });
    assert.equal(dateLiteralRange('SOMEDAY', at), undefined);
    assert.equal(dateLiteralRange('N_DAYS:3', at), undefined);
  });
});

describe('multi-select picklists', () => {
  const rows = [
    row('RedBlue', { Colors__c: 'Red;Blue' }),
    row('BlueRed', { Colors__c: 'Blue;Red' }),
    row('Red', { Colors__c: 'Red' }),
    row('Green', { Colors__c: 'Green;Teal' }),
    row('None'),
  ];

  test("INCLUDES: 'a;b' needs both, the list needs one of its entries; case-insensitive", () => {
    assert.deepEqual(pick("Colors__c INCLUDES ('red')", rows), ['RedBlue', 'BlueRed', 'Red']);
    assert.deepEqual(pick("Colors__c INCLUDES ('Red;Blue')", rows), ['RedBlue', 'BlueRed']);
    assert.deepEqual(pick("Colors__c INCLUDES ('Red;Blue', 'teal')", rows), ['RedBlue', 'BlueRed', 'Green']);
    // A value is a whole item, not a part of one.
    assert.deepEqual(pick("Colors__c INCLUDES ('Re')", rows), []);
  });

  test('EXCLUDES takes what INCLUDES leaves, empty cells too', () => {
    assert.deepEqual(pick("Colors__c EXCLUDES ('Red')", rows), ['Green', 'None']);
    assert.deepEqual(pick("Colors__c EXCLUDES ('Red;Blue')", rows), ['Red', 'Green', 'None']);
  });

  test('= is the same set of values in any order', () => {
    assert.deepEqual(pick("Colors__c = 'blue;red'", rows), ['RedBlue', 'BlueRed']);
    assert.deepEqual(pick("Colors__c = 'Red'", rows), ['Red']);
    assert.deepEqual(pick("Colors__c != 'Red'", rows), ['RedBlue', 'BlueRed', 'Green', 'None']);
    assert.deepEqual(pick('Colors__c = null', rows), ['None']);
  });
});

describe('Ids', () => {
  const rows = [
    row('Child', { Id: '001000000000002AAA', ParentId: '001Ab0000000001AAA' }),
    row('Other', { Id: '001000000000003AAA', ParentId: '001aB0000000001AAC' }),
    row('Top', { Id: '001Ab0000000001AAA' }),
  ];

  test('compare by their first 15 characters, given 15 or 18', () => {
    assert.deepEqual(pick("Id = '001Ab0000000001'", rows), ['Top']);
    assert.deepEqual(pick("Id = '001Ab0000000001AAA'", rows), ['Top']);
    // The last three characters only encode the case of the first 15.
    assert.deepEqual(pick("Id = '001Ab0000000001ZZZ'", rows), ['Top']);
    assert.deepEqual(pick("ParentId = '001Ab0000000001'", rows), ['Child']);
    assert.deepEqual(pick("ParentId IN ('001Ab0000000001', '001aB0000000001AAC')", rows), ['Child', 'Other']);
    assert.deepEqual(pick("Id NOT IN ('001Ab0000000001', '001000000000002AAA')", rows), ['Other']);
    assert.deepEqual(pick("Id IN ('001Ab0000000001', '001000000000002', '001000000000003', null)", rows), ['Child', 'Other', 'Top']);
    assert.deepEqual(pick("Id > '001000000000002'", rows), ['Other', 'Top']);
    assert.deepEqual(pick("Id < '001000000000003AAA'", rows), ['Child']);
  });

  test('are case-sensitive: two Ids that differ in case are two records', () => {
    assert.deepEqual(pick("ParentId = '001aB0000000001'", rows), ['Other']);
    assert.deepEqual(pick("ParentId != '001Ab0000000001AAA'", rows), ['Other', 'Top']);
    assert.deepEqual(pick("Id IN ('001AB0000000001', '001ab0000000001')", rows), []);
  });

  test('an empty lookup is null', () => {
    assert.deepEqual(pick('ParentId = null', rows), ['Top']);
    assert.deepEqual(pick("ParentId != ''", rows), ['Child', 'Other']);
  });

  test('LIKE on an Id', () => {
    assert.deepEqual(pick("ParentId LIKE '001ab%'", rows), ['Child', 'Other']);
  });
});

describe('AND, OR, NOT and parentheses', () => {
  const rows = [
    row('A', { Industry: 'Banking', NumberOfEmployees: '5' }),
    row('B', { Industry: 'Banking', NumberOfEmployees: '500' }),
    row('C', { Industry: 'Retail', NumberOfEmployees: '5' }),
    row('D', { Industry: 'Retail', NumberOfEmployees: '500' }),
    row('E'),
  ];

  test('AND and OR chains', () => {
    assert.deepEqual(pick("Industry = 'Banking' AND NumberOfEmployees > 100", rows), ['B']);
    assert.deepEqual(pick("Industry = 'Banking' OR NumberOfEmployees > 100", rows), ['A', 'B', 'D']);
    assert.deepEqual(pick("Industry = 'Banking' AND NumberOfEmployees > 1 AND Name != 'B'", rows), ['A']);
    assert.deepEqual(pick("Name = 'A' OR Name = 'C' OR Name = 'E'", rows), ['A', 'C', 'E']);
    assert.deepEqual(pick("industry = 'Banking' and numberofemployees < 100", rows), ['A']);
  });

  test('parentheses group as written', () => {
    assert.deepEqual(pick("Industry = 'Retail' AND (NumberOfEmployees > 100 OR Name = 'C')", rows), ['C', 'D']);
    assert.deepEqual(pick("(Industry = 'Retail' AND NumberOfEmployees > 100) OR Name = 'A'", rows), ['A', 'D']);
    assert.deepEqual(pick("((Name = 'A'))", rows), ['A']);
    assert.deepEqual(pick("(Name = 'A' OR Name = 'B') AND (NumberOfEmployees = 5 OR Industry = null)", rows), ['A']);
  });

  test('NOT negates the condition or the group that follows it', () => {
    assert.deepEqual(pick("NOT Industry = 'Banking'", rows), ['C', 'D', 'E']);
    assert.deepEqual(pick("NOT (Industry = 'Banking' OR NumberOfEmployees > 100)", rows), ['C', 'E']);
    assert.deepEqual(pick("NOT Industry = 'Banking' AND NumberOfEmployees > 100", rows), ['D']);
    assert.deepEqual(pick("(NOT Industry = 'Banking') OR Name = 'A'", rows), ['A', 'C', 'D', 'E']);
    assert.deepEqual(pick("Industry = 'Retail' AND (Name = 'C' OR NOT (Name = 'C' OR Name = 'D'))", rows), ['C']);
    assert.deepEqual(pick("NOT NOT Name = 'B'", rows), ['B']);
  });

  test('a leading WHERE is accepted', () => {
    assert.deepEqual(pick("WHERE Name = 'E'", rows), ['E']);
  });
});

test('fields lists the fields the condition names, by their snapshot names, once each', () => {
  const filter = compileFilter("industry = 'x' OR (CREATEDDATE > TODAY AND Industry != null) OR ParentId = null", 'Account', FIELDS, NOW);
  assert.deepEqual(filter.fields, ['Industry', 'CreatedDate', 'ParentId']);
});

test('a type the map does not know compares as text', () => {
  const fields = new Map([
    ['Name', 'string'],
    ['Code__c', 'encryptedstring'],
  ]);
  assert.deepEqual(pick("Code__c = 'ab'", [row('x', { Code__c: 'AB' }), row('y', { Code__c: 'abc' })], fields), ['x']);
});

describe('refusals say where and what to do', () => {
  test('a syntax error names its column and the text there', () => {
    const err = refusal("Name = 'x' AND AND Industry = 'y'");
    assert.equal(err.message, `The record filter for Account at column 16 ("AND Industry = 'y'") has AND where SOQL does not expect it.`);
    assert.match(err.remedy, /^Write the condition of a SOQL WHERE clause \(without WHERE\)/);
    assert.match(err.remedy, /Example: Industry = 'Banking' AND CreatedDate >= 2026-01-01T00:00:00Z/);
  });

  test('a filter that stops short', () => {
    assert.equal(refusal("Name = 'x' AND").message, 'The record filter for Account at column 15 (at its end) ends too early, after AND.');
    assert.equal(refusal('Name =').message, 'The record filter for Account at column 7 (at its end) ends too early, after =.');
  });

  test('a filter of several lines gives the line', () => {
    assert.match(refusal("Name = 'x'\n  AND Nmae = 'y'").message, /at line 2, column 7 \("Nmae = 'y'"\)/);
  });

  test('common slips get their own hint', () => {
    const dq = refusal('Name = "Acme"');
    assert.match(dq.message, /at column 8 .* has a character SOQL does not know: "/);
    assert.match(dq.remedy, /Text goes in single quotes, not double quotes\./);
    assert.match(refusal('CreatedDate >= 2026-01-01T00:00:00').remedy, /A date-time needs its zone: 2026-01-31T00:00:00Z \(UTC\)/);
    assert.match(refusal("Name == 'x'").remedy, /Compare with = \(not ==\)/);
    const both = refusal('Name = "x" AND CreatedDate > 2026-01-01T00:00');
    assert.match(both.remedy, /00:00:00Z\. A date-time needs its zone: .* Text goes in single quotes, not double quotes\.$/);
    assert.match(refusal("Name = 'x' && Industry = 'y'").remedy, /Join conditions with AND and OR/);
    const id = refusal('ParentId = 001000000000001');
    assert.match(id.message, /at column 12 \("001000000000001"\) has 001000000000001 where SOQL does not expect it/);
    assert.match(id.remedy, /Text and Ids go in single quotes/);
  });

  test('two conditions need AND or OR between them', () => {
    assert.equal(
      refusal("Name = 'x' Industry = 'y'").message,
      `The record filter for Account at column 12 ("Industry = 'y'") has two conditions without AND or OR between them.`,
    );
  });

  test('AND and OR mixed without parentheses, as SOQL refuses them', () => {
    const err = refusal("Name = 'a' OR Name = 'b' AND Industry = 'c'");
    assert.equal(err.message, `The record filter for Account at column 26 ("AND Industry = 'c'") mixes AND and OR without parentheses.`);
    assert.match(err.remedy, /Group the conditions with parentheses, as SOQL requires: A AND \(B OR C\), or \(A AND B\) OR C/);
    assert.match(refusal("NOT Name = 'a' AND Name = 'b' OR Name = 'c'").message, /at column 31 .* mixes AND and OR/);
  });

  test('clauses after the condition are not part of a filter', () => {
    const order = refusal("Name = 'x' ORDER BY Name");
    assert.equal(order.message, 'The record filter for Account at column 12 ("ORDER BY Name") has ORDER BY, which is not part of a condition.');
    assert.match(order.remedy, /Give only the condition that follows WHERE/);
    assert.match(refusal("Name = 'x' LIMIT 10").message, /at column 12 \("LIMIT 10"\) has LIMIT/);
  });

  test('an unknown field, with the close names', () => {
    const err = refusal("Industy = 'Banking'");
    assert.equal(
      err.message,
      `The record filter for Account at column 1 ("Industy = 'Banking'") names Industy, a field Account does not have in the snapshot; did you mean Industry?`,
    );
    assert.equal(err.remedy, "Use the API names of Account's fields (custom fields end in __c); schema/Account.json of the snapshot lists them.");
    assert.match(refusal("Name = 'x' AND Colors = 'Red'").message, /at column 16 .* names Colors, .*; did you mean Colors__c\?$/);
    assert.match(refusal('Rating__c = 5').message, /names Rating__c, a field Account does not have in the snapshot\.$/);
  });

  test('a relationship path: the row holds no parent fields', () => {
    const parent = refusal("Name = 'x' AND Parent.Name = 'Acme'");
    assert.match(
      parent.message,
      /at column 16 \("Parent\.Name = 'Acme'"\) names Parent\.Name, a field of a related record, which Account's snapshot rows do not hold\.$/,
    );
    assert.match(parent.remedy, /compare its lookup with the parent's Ids \(ParentId IN \('001…'\)\)/);
    assert.match(refusal("Owner__r.Name = 'x'").remedy, /\(Owner__c IN/);
    assert.equal(refusal("Account.Name = 'x'").remedy, "Name Account's fields without the object: Name.");
  });

  test('functions are refused, with the range to write instead', () => {
    const err = refusal('CALENDAR_YEAR(CreatedDate) = 2025');
    assert.match(err.message, /at column 1 .* uses the function CALENDAR_YEAR\(CreatedDate\), which a filter over snapshot rows does not evaluate\.$/);
    assert.match(err.remedy, /CreatedDate >= 2025-01-01T00:00:00Z AND CreatedDate < 2026-01-01T00:00:00Z/);
    assert.match(refusal("Name = 'x' AND toLabel(Industry) = 'Banque'").message, /at column 16 .* uses the function toLabel\(Industry\)/);
  });

  test('subqueries are refused', () => {
    const err = refusal("Name = 'x' OR Id IN (SELECT AccountId FROM Contact WHERE LastName = 'Smith')");
    assert.match(err.message, /at column 15 .* has a subquery \(Id IN \(SELECT …\)\), which a filter over one object's snapshot rows cannot answer\.$/);
    assert.match(err.remedy, /list the Ids: Id IN \('001…', '001…'\)/);
  });

  test('a value of the wrong type for the field', () => {
    const quoted = refusal("AnnualRevenue > '1000'");
    assert.equal(quoted.message, `The record filter for Account at column 1 ("AnnualRevenue > '1000'") compares AnnualRevenue, a currency field, with '1000'.`);
    assert.equal(
      quoted.remedy,
      "Compare AnnualRevenue with a number without quotes (1000 or 12.5); schema/Account.json of the snapshot lists each field's type.",
    );
    assert.match(refusal('Name = 5').remedy, /^Compare Name with text in single quotes \('Banking'\)/);
    assert.match(refusal("IsActive__c = 'true'").remedy, /^Compare IsActive__c with true or false/);
    assert.match(refusal('Colors__c INCLUDES (5)').remedy, /^Compare Colors__c with values in single quotes/);
    assert.match(refusal('Name = TODAY').message, /compares Name, a string field, with TODAY\.$/);
    assert.match(refusal('NumberOfEmployees = true').message, /compares NumberOfEmployees, an int field, with TRUE\.$/);
  });

  test('a date where a datetime is needed, and the other way round', () => {
    const date = refusal('CreatedDate >= 2026-01-01');
    assert.match(date.message, /compares CreatedDate, a datetime field, with 2026-01-01: a datetime field takes a date and a time, as SOQL requires\.$/);
    assert.match(date.remedy, /a date and time with its zone, without quotes \(2026-01-31T00:00:00Z\), or a date literal/);
    assert.match(refusal('CloseDate__c = 2026-01-01T00:00:00Z').message, /with 2026-01-01T00:00:00Z: a date field takes a date without a time\.$/);
  });

  test('values that are no date, time or Id', () => {
    assert.match(refusal('CloseDate__c = 2026-02-30').message, /with 2026-02-30: there is no such day\.$/);
    assert.match(refusal('CreatedDate = 2026-01-01T25:00:00Z').message, /with 2026-01-01T25:00:00Z: there is no such date and time\.$/);
    assert.match(refusal("ParentId = '001abc'").message, /compares ParentId, a reference field, with '001abc': that is not a record Id\.$/);
    assert.match(refusal("ParentId = '001abc'").remedy, /a record Id of 15 or 18 characters in single quotes/);
    assert.match(
      refusal('CreatedDate = LAST_N_DAYS:99999999').message,
      /uses LAST_N_DAYS:99999999, a date literal this filter does not know or a range too far from today\.$/,
    );
  });

  test('an operator the field type does not take', () => {
    const like = refusal("AnnualRevenue LIKE '1%'");
    assert.equal(
      like.message,
      `The record filter for Account at column 1 ("AnnualRevenue LIKE '1%'") compares AnnualRevenue, a currency field, with LIKE, which does not apply to it.`,
    );
    assert.equal(like.remedy, 'Use one of =, !=, <, <=, >, >=, IN, NOT IN with AnnualRevenue.');
    assert.match(refusal("Industry INCLUDES ('Banking')").remedy, /^Use one of =, !=, <, <=, >, >=, LIKE, IN, NOT IN with Industry\.$/);
    assert.match(refusal('IsActive__c > false').remedy, /^Use one of =, !=, IN, NOT IN with IsActive__c\.$/);
    assert.match(refusal("Colors__c LIKE 'R%'").remedy, /^Use one of =, !=, INCLUDES, EXCLUDES with Colors__c \(INCLUDES/);
    assert.match(refusal('Name LIKE 5').message, /with 5: LIKE takes a pattern in single quotes\.$/);
  });

  test('IN needs a list, and null is only = or !=', () => {
    assert.equal(refusal("Name IN 'x'").remedy, "Put IN's values in parentheses: Name IN ('a', 'b').");
    const lt = refusal('AnnualRevenue < null');
    assert.match(lt.message, /compares AnnualRevenue < null\.$/);
    assert.equal(lt.remedy, 'Only = null and != null test for an empty value: AnnualRevenue = null.');
  });

  test('an amount in a named currency', () => {
    const err = refusal('AnnualRevenue > USD1000');
    assert.match(err.message, /compares AnnualRevenue with USD1000, an amount in a named currency, which the snapshot cannot convert\.$/);
    assert.match(err.remedy, /without its currency code \(1000\); .* CurrencyIsoCode \('USD'\)/);
  });

  test('a compound field has no single value', () => {
    const err = refusal("BillingAddress = 'Main St'");
    assert.match(err.message, /compares BillingAddress, an address field, which has no single value to compare\.$/);
    assert.match(err.remedy, /Compare its parts instead \(BillingCity/);
  });

  test('an empty filter', () => {
    const err = refusal('  ');
    assert.equal(err.message, 'The record filter for Account is empty.');
    assert.match(err.remedy, /Leave the filter out to restore every record of Account\.$/);
    assert.equal(refusal('WHERE').message, 'The record filter for Account is empty.');
  });
});
