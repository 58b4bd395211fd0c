/**
 * Which rules a run exercised: counts per operation × status × rule, and the report built from them. The
 * unit of coverage is a pair (operation, behaviour rule): `associations.14` on the accounts POST is covered
 * once that operation answered by that rule. Rules no row decides (`contract.*`, `auth.*`, faults…) are
 * counted and listed, but are not in the percentages: they are the stub's, not Elastic Path's behaviour.
 * Counts live in the stub's process, in memory; a restart or `reset()` starts them again.
 */
import { createHash } from 'node:crypto';
import { BEHAVIOUR_RULES, type Basis, type RuleId } from '../domain/rules.js';

export const COVERAGE_FORMAT = 'ep-cart-stub-coverage';

/** What the rows are, so that reports of different catalogues are never added up. */
export const CATALOGUE_VERSION = `sha256:${createHash('sha256')
  .update(JSON.stringify(BEHAVIOUR_RULES.map(({ id, operations, status }) => [id, operations, status])))
  .digest('hex')
  .slice(0, 16)}`;

export interface OperationInfo {
  operationId: string;
  method: string;
  path: string;
}

/** How often one operation answered one status by one rule. */
export interface Answer {
  operationId: string;
  status: number;
  rule: string;
  hits: number;
}

export interface RuleCoverage {
  rule: string;
  status: number;
  basis: Basis;
  when: string;
  hits: number;
}

export interface OperationCoverage extends OperationInfo {
  rules: RuleCoverage[];
  covered: number;
  total: number;
  percent: number;
}

export interface CoverageReport {
  format: typeof COVERAGE_FORMAT;
  version: 1;
  catalogue: string;
  operations: OperationCoverage[];
  /** `operationId rule` pairs that were answered, and those that never were. */
  covered: string[];
  uncovered: string[];
  total: { covered: number; total: number; percent: number };
  /** Every count, behaviour rows and the rest. */
  answers: Answer[];
}

export class Coverage {
  /**
   * By operation, then rule: a few answers each (one a status). Kept by the strings themselves, which V8
   * hashes once, rather than by a key built on every request (`npm run bench`, rule trace on / off).
   */
  private counts = new Map<string, Map<string, Answer[]>>();

  record(operationId: string, status: number, rule: RuleId): void {
    let byRule = this.counts.get(operationId);
    if (!byRule) this.counts.set(operationId, (byRule = new Map()));
    let answers = byRule.get(rule);
    if (!answers) byRule.set(rule, (answers = []));
    const answer = answers.find((candidate) => candidate.status === status);
    if (answer) answer.hits += 1;
    else answers.push({ operationId, status, rule, hits: 1 });
  }

  answers(): Answer[] {
    return [...this.counts.values()].flatMap((byRule) => [...byRule.values()].flat()).map((answer) => ({ ...answer }));
  }

  clear(): void {
    this.counts.clear();
  }
}

const percentOf = (covered: number, total: number) => (total === 0 ? 100 : Math.round((covered / total) * 1000) / 10);

/** The report of these counts over these operations (the document's Elastic Path operations). */
export function coverageReport(answers: readonly Answer[], operations: readonly OperationInfo[]): CoverageReport {
  const hits = new Map<string, number>();
  for (const { operationId, rule, hits: n } of answers) hits.set(`${operationId} ${rule}`, (hits.get(`${operationId} ${rule}`) ?? 0) + n);
  const covered: string[] = [];
  const uncovered: string[] = [];
  const perOperation = operations.map((operation): OperationCoverage => {
    const rules = BEHAVIOUR_RULES.filter((rule) => (rule.operations as readonly string[]).includes(operation.operationId)).map((rule) => ({
      rule: rule.id,
      status: rule.status,
      basis: rule.basis,
      when: rule.when,
      hits: hits.get(`${operation.operationId} ${rule.id}`) ?? 0,
    }));
    for (const rule of rules) (rule.hits > 0 ? covered : uncovered).push(`${operation.operationId} ${rule.rule}`);
    const coveredHere = rules.filter((rule) => rule.hits > 0).length;
    return { ...operation, rules, covered: coveredHere, total: rules.length, percent: percentOf(coveredHere, rules.length) };
  });
  const sorted = [...answers].sort((a, b) => a.operationId.localeCompare(b.operationId) || a.status - b.status || a.rule.localeCompare(b.rule));
  return {
    format: COVERAGE_FORMAT,
    version: 1,
    catalogue: CATALOGUE_VERSION,
    operations: perOperation,
    covered,
    uncovered,
    total: { covered: covered.length, total: covered.length + uncovered.length, percent: percentOf(covered.length, covered.length + uncovered.length) },
    answers: sorted,
  };
}

/** A report read from a file, or an error that says why it is not one. */
export function parseCoverageReport(text: string, origin: string): CoverageReport {
  let value: Partial<CoverageReport> | null;
  try {
    value = JSON.parse(text) as Partial<CoverageReport> | null;
  } catch (error) {
    throw new Error(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
  if (value?.format !== COVERAGE_FORMAT || !Array.isArray(value.answers) || !Array.isArray(value.operations)) {
    throw new Error(`${origin} is not an ep-cart-stub coverage report (JSON, as --coverage-report FILE.json writes it)`);
  }
  return value as CoverageReport;
}

/** Reports of parallel workers or shards as one: counts add up. Every report must be of the same catalogue. */
export function mergeCoverage(reports: readonly { report: CoverageReport; origin: string }[]): CoverageReport {
  const [first] = reports;
  if (!first) throw new Error('nothing to merge');
  for (const { report, origin } of reports) {
    if (report.catalogue !== first.report.catalogue) {
      throw new Error(`${origin} was written for rule catalogue ${report.catalogue}, ${first.origin} for ${first.report.catalogue}: reports of different versions of the stub cannot be added up`);
    }
  }
  const operations = new Map<string, OperationInfo>();
  for (const { report } of reports) for (const { operationId, method, path } of report.operations) operations.set(operationId, { operationId, method, path });
  return { ...coverageReport(reports.flatMap(({ report }) => report.answers), [...operations.values()]), catalogue: first.report.catalogue };
}

export interface CoverageVerdict {
  ok: boolean;
  percent: number;
  /** Why it fails: the threshold missed, or required pairs never answered. */
  reasons: string[];
}

/**
 * The CI gate: at least `minPercent` of the (operation, rule) pairs covered, and every pair whose rule
 * matches one of `required` (`associations.*`, `associations.14`) covered.
 */
export function checkCoverage(report: CoverageReport, { minPercent = 0, required = [] }: { minPercent?: number; required?: readonly string[] }): CoverageVerdict {
  const reasons: string[] = [];
  if (report.total.percent < minPercent) {
    reasons.push(`${report.total.percent}% of the rules covered, below ${minPercent}% (${report.total.covered} of ${report.total.total}); never answered: ${report.uncovered.join(', ')}`);
  }
  const patterns = required.map((glob) => new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^ ]*')}$`));
  const missing = report.uncovered.filter((pair) => patterns.some((pattern) => pattern.test(pair.split(' ')[1]!)));
  if (missing.length > 0) reasons.push(`required rules never answered: ${missing.join(', ')}`);
  return { ok: reasons.length === 0, percent: report.total.percent, reasons };
}

