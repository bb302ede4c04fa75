import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { appFingerprint } from '../../../src/salesforce/auth/app-fingerprint.ts';

describe('appFingerprint', () => {
  it("is the first 12 hex characters of the key's sha256", () => {
    const key = '3MVG9consumerKeyExample';
    const expected = createHash('sha256').update(key).digest('hex').slice(0, 12);
    assert.equal(appFingerprint(key), expected);
    assert.match(appFingerprint(key), /^[0-9a-f]{12}$/);
  });

  it('ignores surrounding whitespace, so a pasted newline names the same app', () => {
    assert.equal(appFingerprint('  abc\n'), appFingerprint('abc'));
  });

  it('tells different keys apart and never contains the key', () => {
    assert.notEqual(appFingerprint('key-one'), appFingerprint('key-two'));
    assert.ok(!appFingerprint('abcdef0123456789abcdef').includes('abcdef0123'));
  });
});
