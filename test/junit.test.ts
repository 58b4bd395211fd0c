/** The JUnit XML every report command writes is what CI systems read: valid against jenkins-junit.xsd. */
import { describe, expect, it } from 'vitest';
import { junitXml } from '../src/reports/junit.js';
import { readJunit } from './support/junit.js';

describe('JUnit reports', () => {
  it('passed, failed and skipped cases, with markup and control characters in their text, are valid against the schema and read back as written', async () => {
    const xml = junitXml([
      {
        name: 'a <suite> & "quotes"',
        testcases: [
          { name: 'passes', classname: 'x', time: 0.25 },
          { name: 'fails', classname: 'x', failure: { message: 'expected 200\ngot 403', text: '<body> & \u0007bell' } },
          { name: 'skipped', classname: 'y', skipped: 'not on this store <yet>' },
        ],
      },
      { name: 'empty', testcases: [] },
    ]);
    expect(await readJunit(xml)).toEqual([
      [
        { name: 'passes', classname: 'x' },
        { name: 'fails', classname: 'x', failure: 'expected 200\ngot 403' },
        { name: 'skipped', classname: 'y', skipped: 'not on this store <yet>' },
      ],
      [],
    ]);
  });

  it('a report the schema refuses fails the check (an attribute <skipped> does not have)', async () => {
    const xml = '<testsuites><testsuite name="s" tests="1"><testcase name="c" classname="x"><skipped message="why"/></testcase></testsuite></testsuites>';
    await expect(readJunit(xml)).rejects.toThrow(/Schemas validity error/);
  });
});
