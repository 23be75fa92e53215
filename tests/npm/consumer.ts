// Compiled by tests/npm/run.sh with tsc --strict against the installed package.
import { check, CheckError, type Report, type Rule } from 'npsbundle';

async function main(): Promise<number> {
  try {
    const report: Report = await check('dist', { budget: 'npsbundle.budget.json', cache: false });
    const failed: Rule[] = report.rules.filter((r) => r.status === 'fail');
    const gzip: number = report.entries[0].total.gzip;
    const manifest: string | null = report.manifest;
    const baseline: string | undefined = report.diff?.baseline;
    return report.passed && failed.length === 0 && gzip > 0 && manifest !== baseline ? 0 : 1;
  } catch (error) {
    if (error instanceof CheckError) return error.exitCode ?? 70;
    throw error;
  }
}
void main();
