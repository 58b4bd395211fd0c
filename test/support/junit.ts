/**
 * A JUnit XML file as a CI system reads it: valid against the schema Jenkins and JUnit 5 publish
 * (test/reference/junit/jenkins-junit.xsd, checked by libxml2's xmllint), every case named and classed, and
 * every count attribute equal to what it counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { expect } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { REPO_DIR } from './processes.js';

const SCHEMA = { fileName: 'jenkins-junit.xsd', contents: readFileSync(join(REPO_DIR, 'test/reference/junit/jenkins-junit.xsd'), 'utf8') };

export interface ReadCase {
  name: string;
  classname: string;
  failure?: string;
  skipped?: string;
}

export async function readJunit(xml: string): Promise<ReadCase[][]> {
  const validation = await validateXML({ xml: { fileName: 'report.xml', contents: xml }, schema: SCHEMA });
  expect(validation.errors.map((error) => error.rawMessage).join('\n'), 'valid against jenkins-junit.xsd').toBe('');
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true, isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  type Case = { name: string; classname: string; time: string; failure?: { message: string }; skipped?: string };
  type Suite = { name: string; tests: string; failures: string; skipped: string; testcase?: Case[] };
  const { testsuites } = parser.parse(xml) as { testsuites: { tests: string; failures: string; testsuite?: Suite[] } };
  const suites = testsuites.testsuite ?? [];
  const all = suites.flatMap((suite) => suite.testcase ?? []);
  expect(Number(testsuites.tests)).toBe(all.length);
  expect(Number(testsuites.failures)).toBe(all.filter((c) => c.failure).length);
  return suites.map((suite) => {
    const cases = suite.testcase ?? [];
    expect(suite.name).toEqual(expect.any(String));
    expect(Number(suite.tests)).toBe(cases.length);
    expect(Number(suite.failures)).toBe(cases.filter((c) => c.failure).length);
    expect(Number(suite.skipped)).toBe(cases.filter((c) => c.skipped !== undefined).length);
    return cases.map((c) => {
      expect(c.name).toEqual(expect.any(String));
      expect(c.classname).toEqual(expect.any(String));
      expect(Number.isFinite(Number(c.time))).toBe(true);
      return { name: c.name, classname: c.classname, ...(c.failure ? { failure: c.failure.message } : {}), ...(c.skipped !== undefined ? { skipped: c.skipped } : {}) };
    });
  });
}
