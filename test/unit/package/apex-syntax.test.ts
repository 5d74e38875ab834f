import { readFileSync } from 'node:fs';
import path from 'node:path';
import { apexSourceFiles, REPO_ROOT } from './package-files';

type ApexParserModule = typeof import('@apexdevtools/apex-parser');

/** Syntax errors of one Apex source (class or trigger), as "line:column message". */
async function syntaxErrors(source: string, kind: 'class' | 'trigger'): Promise<string[]> {
  // The parser ships as ESM first; a dynamic import keeps this file independent of the module format.
  const { ApexParserFactory, ApexErrorListener }: ApexParserModule =
    await import('@apexdevtools/apex-parser');
  const errors: string[] = [];
  class CollectingListener extends ApexErrorListener {
    apexSyntaxError(line: number, column: number, message: string): void {
      errors.push(`${line}:${column} ${message}`);
    }
  }
  const { parser } = ApexParserFactory.createLexerAndParser(source, new CollectingListener());
  if (kind === 'trigger') parser.triggerUnit();
  else parser.compilationUnit();
  return errors;
}

describe('Apex syntax', () => {
  const files = apexSourceFiles();

  it('should include every class the package needs', () => {
    const names = files.map((f) => path.basename(f));
    for (const expected of [
      'QualificationEvaluator.cls',
      'QualificationCriteriaService.cls',
      'QualificationController.cls',
      'LeadConvertController.cls',
      'LeadTriggerHandler.cls',
      'LeadConversionGuard.cls',
      'StageTimelineController.cls',
      'QualificationVectorsTest.cls',
      'TestDataFactory.cls',
      'LeadTrigger.trigger'
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('should have a <Class>Test for every non-test class', () => {
    const classes = files.filter((f) => f.endsWith('.cls')).map((f) => path.basename(f, '.cls'));
    const untested = classes.filter(
      (name) => !name.endsWith('Test') && name !== 'TestDataFactory' && !classes.includes(`${name}Test`)
    );
    expect(untested).toEqual([]);
  });

  it.each(files.map((f) => [path.relative(REPO_ROOT, f), f]))(
    'should parse without syntax errors when %s is read',
    async (_name, file) => {
      const kind = file.endsWith('.trigger') ? 'trigger' : 'class';
      expect(await syntaxErrors(readFileSync(file, 'utf8'), kind)).toEqual([]);
    }
  );

  it('should report errors when the source is broken', async () => {
    expect((await syntaxErrors('public class Broken { void run( }', 'class')).length).toBeGreaterThan(0);
  });
});
