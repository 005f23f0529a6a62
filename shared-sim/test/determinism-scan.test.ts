import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/**
 * Calls whose results differ between engines or between runs. Transcendental functions are
 * not required to be correctly rounded, so V8, JavaScriptCore and SpiderMonkey may disagree in
 * the last bit; clocks and Math.random differ by definition; `for...in` walks keys in an order
 * that is easy to get wrong.
 */
const FORBIDDEN: readonly [string, RegExp][] = [
  ['Math.random', /\bMath\.random\b/],
  ['Date', /\bDate\b/],
  ['performance', /\bperformance\b/],
  ['process', /\bprocess\./],
  ['setTimeout/setInterval', /\bset(Timeout|Interval|Immediate)\b/],
  [
    'transcendental Math function',
    new RegExp(
      '\\bMath\\.(sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|' +
        'exp|expm1|log|log1p|log2|log10|pow|cbrt|hypot)\\b',
    ),
  ],
  ['exponent operator', /\*\*/],
  ['for...in', /\bfor\s*\(\s*(const|let|var)\s+\w+\s+in\b/],
  ['matter Runner', /\bRunner\b/],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Source with comments and string literals blanked, so prose never trips the scan. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/.*$/gm, '')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, (m) => ' '.repeat(m.length));
}

describe('simulation source', () => {
  const files = sourceFiles(SRC);

  it('has files to scan', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files.map((f) => [relative(SRC, f), f]))(
    '%s uses no nondeterministic call',
    (_, file) => {
      const lines = codeOnly(readFileSync(file, 'utf8')).split('\n');
      const found: string[] = [];
      lines.forEach((line, i) => {
        for (const [name, pattern] of FORBIDDEN) {
          if (pattern.test(line)) found.push(`line ${i + 1}: ${name}`);
        }
      });
      expect(found).toEqual([]);
    },
  );

  it('the scan catches what it looks for', () => {
    const sample = 'const a = Math.sin(x);\nconst b = 2 ** 3;\nfor (const k in obj) {}\n';
    const hits = codeOnly(sample)
      .split('\n')
      .filter((line) => FORBIDDEN.some(([, pattern]) => pattern.test(line)));
    expect(hits).toHaveLength(3);
    expect(codeOnly('// Math.random in a comment\nconst s = "Date";\n').trim()).toBe(
      'const s =       ;',
    );
  });
});
