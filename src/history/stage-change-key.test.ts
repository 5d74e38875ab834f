/**
 * The Funnel_Stage_Change__c key Apex writes for an accept, return or expiry (FunnelStageChangeWriter.externalId)
 * must be the key the service's write-back computes for the same visit, or a `leadflow history` run would add a
 * second row for it. FunnelStageChangeWriterTest pins the key in SERVICE_KEY; this test reads that literal from
 * the Apex test and recomputes it here, and recomputes the Apex digest input the same way Apex builds it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stageChangeExternalId } from './writeback';

const APEX_TEST = path.join(
  __dirname,
  '../../force-app/main/default/classes/FunnelStageChangeWriterTest.cls'
);
const APEX_WRITER = path.join(__dirname, '../../force-app/main/default/classes/FunnelStageChangeWriter.cls');

describe('stage change key shared with Apex FunnelStageChangeWriter', () => {
  it('should equal the key the Apex test pins for the same visit', () => {
    const pinned = /SERVICE_KEY = '([^']+)'/.exec(fs.readFileSync(APEX_TEST, 'utf8'))?.[1];
    expect(pinned).toBeDefined();
    expect(stageChangeExternalId('00Q000000000001AAA', 'SAL', new Date('2026-03-01T10:00:00.000Z'))).toBe(
      pinned
    );
  });

  it('should hash what Apex hashes: "<stage>|<ISO 8601 UTC with milliseconds>", SHA-1, first 16 hex', () => {
    const writer = fs.readFileSync(APEX_WRITER, 'utf8');
    expect(writer).toContain("formatGmt('yyyy-MM-dd\\'T\\'HH:mm:ss.SSS\\'Z\\'')");
    expect(writer).toContain("Crypto.generateDigest('SHA1', Blob.valueOf(stage + '|' + instant))");
    expect(writer).toContain('EncodingUtil.convertToHex(digest).substring(0, 16)');
    const digest = createHash('sha1').update('Recycled|2026-05-09T00:00:00.000Z').digest('hex').slice(0, 16);
    expect(
      stageChangeExternalId('00Q000000000002AAA', 'Recycled', new Date('2026-05-09T00:00:00.000Z'))
    ).toBe(`lf:00Q000000000002AAA:${digest}`);
  });
});
