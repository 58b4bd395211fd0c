/**
 * A JUnit XML file as a CI system reads it: well-formed XML, `testsuites` of `testsuite`s of `testcase`s,
 * every case named and classed, and every count attribute equal to what it counts.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

export interface ReadCase {
  name: string;
  classname: string;
  failure?: string;
  skipped?: string;
}

export function readJunit(xml: string): ReadCase[][] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  type Case = { name: string; classname: string; time: string; failure?: { message: string }; skipped?: { message: string } };
  type Suite = { name: string; tests: string; failures: string; skipped: string; testcase?: Case[] };
  const { testsuites } = parser.parse(xml) as { testsuites: { tests: string; failures: string; skipped: string; testsuite?: Suite[] } };
  const suites = testsuites.testsuite ?? [];
  const all = suites.flatMap((suite) => suite.testcase ?? []);
  expect(Number(testsuites.tests)).toBe(all.length);
  expect(Number(testsuites.failures)).toBe(all.filter((c) => c.failure).length);
  expect(Number(testsuites.skipped)).toBe(all.filter((c) => c.skipped).length);
  return suites.map((suite) => {
    const cases = suite.testcase ?? [];
    expect(suite.name).toEqual(expect.any(String));
    expect(Number(suite.tests)).toBe(cases.length);
    expect(Number(suite.failures)).toBe(cases.filter((c) => c.failure).length);
    expect(Number(suite.skipped)).toBe(cases.filter((c) => c.skipped).length);
    return cases.map((c) => {
      expect(c.name).toEqual(expect.any(String));
      expect(c.classname).toEqual(expect.any(String));
      expect(Number.isFinite(Number(c.time))).toBe(true);
      return { name: c.name, classname: c.classname, ...(c.failure ? { failure: c.failure.message } : {}), ...(c.skipped ? { skipped: c.skipped.message } : {}) };
    });
  });
}
