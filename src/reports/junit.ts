/**
 * JUnit XML, as CI systems read it (GitLab, Jenkins, GitHub's test reporters): suites of test cases, each
 * passed, failed or skipped, valid against the schema Jenkins and JUnit 5 publish (jenkins-junit.xsd, which
 * the suite validates against). Shared by the commands that report checks (replay, verify, coverage).
 */

export interface TestCase {
  name: string;
  classname: string;
  /** Seconds. */
  time?: number;
  /** Absent when the case passed. */
  failure?: { message: string; text?: string };
  /** Why the case did not run; absent when it ran. */
  skipped?: string;
}

export interface TestSuite {
  name: string;
  /** Seconds; by default the sum of its cases'. */
  time?: number;
  testcases: TestCase[];
}

export function junitXml(suites: readonly TestSuite[]): string {
  const count = (cases: readonly TestCase[], which: (testcase: TestCase) => boolean) => cases.filter(which).length;
  const all = suites.flatMap((suite) => suite.testcases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // The schema has no skipped count on <testsuites>; each <testsuite> carries its own.
    `<testsuites${attributes({ tests: all.length, failures: count(all, (c) => c.failure !== undefined) })}>`,
  ];
  for (const suite of suites) {
    const time = suite.time ?? suite.testcases.reduce((sum, testcase) => sum + (testcase.time ?? 0), 0);
    lines.push(
      `  <testsuite${attributes({
        name: suite.name,
        tests: suite.testcases.length,
        failures: count(suite.testcases, (c) => c.failure !== undefined),
        errors: 0,
        skipped: count(suite.testcases, (c) => c.skipped !== undefined),
        time: seconds(time),
      })}>`,
    );
    for (const testcase of suite.testcases) {
      const open = `    <testcase${attributes({ name: testcase.name, classname: testcase.classname, time: seconds(testcase.time ?? 0) })}`;
      if (testcase.failure) {
        lines.push(`${open}>`, `      <failure${attributes({ message: testcase.failure.message })}>${escaped(testcase.failure.text ?? '')}</failure>`, '    </testcase>');
      } else if (testcase.skipped !== undefined) {
        // The schema's <skipped> holds its reason as text and has no attributes.
        lines.push(`${open}>`, `      <skipped>${escaped(testcase.skipped)}</skipped>`, '    </testcase>');
      } else {
        lines.push(`${open}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

const seconds = (time: number) => (Math.round(time * 1000) / 1000).toFixed(3);

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escaped(String(value)).replaceAll('"', '&quot;').replaceAll('\n', '&#10;')}"`)
    .join('');
}

/** Text safe in XML 1.0: markup escaped, and the characters XML cannot hold at all (most controls) dropped. */
function escaped(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}
