/** JUnit XML, as CI systems read it: suites of test cases, each passed, failed or skipped. */

export interface JunitCase {
  name: string;
  classname: string;
  /** Seconds. */
  time?: number;
  /** Why it failed: a short message, and the full text. */
  failure?: { message: string; text: string };
  /** Why it did not run. */
  skipped?: string;
  /** What it printed. */
  output?: string;
}

export interface JunitSuite {
  name: string;
  cases: JunitCase[];
}

const escapeXml = (text: string) =>
  // Characters XML 1.0 cannot hold at all are dropped; the rest are escaped.
  text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function junitXml({ name, suites }: { name: string; suites: JunitSuite[] }): string {
  const count = (suite: JunitSuite, what: 'failure' | 'skipped') => suite.cases.filter((c) => c[what] !== undefined).length;
  const all = suites.flatMap((suite) => suite.cases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(name)}" tests="${all.length}" failures="${all.filter((c) => c.failure).length}" skipped="${all.filter((c) => c.skipped !== undefined).length}">`,
  ];
  for (const suite of suites) {
    lines.push(`  <testsuite name="${escapeXml(suite.name)}" tests="${suite.cases.length}" failures="${count(suite, 'failure')}" skipped="${count(suite, 'skipped')}">`);
    for (const testCase of suite.cases) {
      const open = `    <testcase name="${escapeXml(testCase.name)}" classname="${escapeXml(testCase.classname)}" time="${(testCase.time ?? 0).toFixed(3)}"`;
      const body = [
        testCase.failure && `      <failure message="${escapeXml(testCase.failure.message)}">${escapeXml(testCase.failure.text)}</failure>`,
        testCase.skipped !== undefined && `      <skipped message="${escapeXml(testCase.skipped)}"/>`,
        testCase.output !== undefined && `      <system-out>${escapeXml(testCase.output)}</system-out>`,
      ].filter(Boolean);
      lines.push(body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
