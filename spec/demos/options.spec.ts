import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type DemoCommand, parseDemoOptions } from '../../demos/shared/options';
import { PIPELINE_OPTIONS, simulationOptions } from '../../demos/shared/pipeline-options';

const root = join(__dirname, '..', '..');

const demo = {
  command: 'npm run example',
  summary: 'An example.',
  options: {
    rate: { type: 'integer', default: 5, min: 1, max: 100, help: 'per second' },
    share: { type: 'number', default: 0.1, min: 0, max: 0.9, help: 'a share' },
    plain: { type: 'flag', help: 'plainly' },
    db: { type: 'text', placeholder: 'PATH', help: 'a database' },
  },
} as const satisfies DemoCommand;

describe('parseDemoOptions', () => {
  it('gives the defaults, and the values given, as numbers and booleans', () => {
    expect(parseDemoOptions(demo, [])).toEqual({ kind: 'values', values: { rate: 5, share: 0.1, plain: false, db: undefined } });
    expect(parseDemoOptions(demo, ['--rate', '100', '--share=0.25', '--plain'])).toEqual({ kind: 'values', values: { rate: 100, share: 0.25, plain: true, db: undefined } });
    expect(parseDemoOptions(demo, ['--rate', '1', '--share', '0', '--db', '/tmp/a b.mdb'])).toEqual({ kind: 'values', values: { rate: 1, share: 0, plain: false, db: '/tmp/a b.mdb' } });
  });

  it.each([
    [['--rate', 'abc'], '--rate "abc" is not an integer from 1 to 100'],
    [['--rate', '8080x'], '--rate "8080x" is not an integer from 1 to 100'],
    [['--rate', '1.5'], '--rate "1.5" is not an integer from 1 to 100'],
    [['--rate', ''], '--rate "" is not an integer from 1 to 100'],
    [['--rate', '0'], '--rate "0" is not an integer from 1 to 100'],
    [['--rate', '101'], '--rate "101" is not an integer from 1 to 100'],
    [['--share', '0.95'], '--share "0.95" is not a number from 0 to 0.9'],
    [['--share', 'NaN'], '--share "NaN" is not a number from 0 to 0.9'],
    [['--bogus'], 'unknown option --bogus'],
    [['-z'], 'unknown option -z'],
    [['7'], 'unexpected argument "7": options are --name value'],
    [['--rate'], '--rate needs a value'],
    [['--rate', '-3'], '--rate needs a value (one starting with "-" is written --rate=-N)'],
    [['--rate=-3'], '--rate "-3" is not an integer from 1 to 100'],
    [['--plain=yes'], '--plain takes no value'],
    [['--db'], '--db needs a value'],
    [['--db='], '--db needs a value'],
  ])('refuses %j: %s', (argv, message) => {
    expect(parseDemoOptions(demo, argv)).toEqual({ kind: 'error', message });
  });

  it('answers --help and -h with every option, its range and its default', () => {
    const help = parseDemoOptions(demo, ['--rate', 'abc', '--help']);
    expect(help.kind).toBe('help');
    expect(parseDemoOptions(demo, ['-h']).kind).toBe('help');
    const text = help.kind === 'help' ? help.text : '';
    expect(text.split('\n')).toEqual([
      'An example.',
      '',
      'Usage: npm run example -- [options]',
      '',
      '  --rate N    per second (an integer from 1 to 100; default 5)',
      '  --share N   a share (a number from 0 to 0.9; default 0.1)',
      '  --plain     plainly',
      '  --db PATH   a database',
      '  --help, -h  this help',
    ]);
  });
});

/** Run a demo's main with `args`, piped; collect what it prints. */
function run(main: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('every demo checks its command line before it starts', () => {
  it.each([
    ['demos/dashboard/main.ts', ['--rate', 'abc'], 'npm run demo: --rate "abc" is not an integer from 1 to 1,000,000 (see npm run demo -- --help)'],
    ['demos/dashboard/main.ts', ['--bogus'], 'npm run demo: unknown option --bogus (see npm run demo -- --help)'],
    ['demos/dashboard/main.ts', ['--committee', '0'], 'npm run demo: --committee "0" is not an integer from 1 to 500 (see npm run demo -- --help)'],
    ['demos/web/main.ts', ['--committee', '501'], 'npm run demo:web: --committee "501" is not an integer from 1 to 500 (see npm run demo:web -- --help)'],
    ['demos/web/main.ts', ['--port', '8080x'], 'npm run demo:web: --port "8080x" is not an integer from 0 to 65,535 (see npm run demo:web -- --help)'],
    ['demos/basic/main.ts', ['--certificates=-3'], 'npm run demo:basic: --certificates "-3" is not an integer from 1 to 100,000 (see npm run demo:basic -- --help)'],
    ['demos/ordering/main.ts', ['--concurrency', 'two'], 'npm run demo:ordering: --concurrency "two" is not an integer from 1 to 8 (see npm run demo:ordering -- --help)'],
    ['demos/overload/main.ts', ['--burst'], 'npm run demo:overload: --burst needs a value (see npm run demo:overload -- --help)'],
    ['demos/epoch-change/main.ts', ['--rate', '5'], 'npm run demo:epoch: unknown option --rate (see npm run demo:epoch -- --help)'],
    ['demos/fork/main.ts', ['now'], 'npm run demo:fork: unexpected argument "now": options are --name value (see npm run demo:fork -- --help)'],
    ['demos/crash/main.ts', ['--kills', '0'], 'npm run demo:crash: --kills "0" is not an integer from 1 to 100 (see npm run demo:crash -- --help)'],
    ['demos/simulate/main.ts', ['--seed=-1'], 'npm run demo:simulate: --seed "-1" is not an integer from 0 to 4,294,967,295 (see npm run demo:simulate -- --help)'],
  ])('%s %j: one line on stderr, exit 2, nothing run', async (main, args, line) => {
    const { code, stdout, stderr } = await run(main, args);
    expect(stderr).toBe(`${line}\n`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  }, 30_000);

  it.each(['demos/dashboard/main.ts', 'demos/web/main.ts', 'demos/basic/main.ts', 'demos/ordering/main.ts', 'demos/overload/main.ts', 'demos/epoch-change/main.ts', 'demos/fork/main.ts', 'demos/crash/main.ts', 'demos/simulate/main.ts'])(
    '%s --help: its usage on stdout, exit 0, nothing run',
    async (main) => {
      const { code, stdout, stderr } = await run(main, ['--help']);
      expect(stdout).toMatch(/^.+\n\nUsage: npm run demo(:\w+)?( -- \[options\])?\n\n( {2}--.+\n)+$/);
      expect(stdout).toContain('  --help, -h');
      expect(stdout).not.toContain('metrics');
      expect(stderr).toBe('');
      expect(code).toBe(0);
    },
    30_000,
  );
});

describe('the dashboards’ committee size', () => {
  it('is an option of both, and reaches the simulation', () => {
    const dashboards = { command: 'npm run demo', summary: 'x', options: PIPELINE_OPTIONS } as const satisfies DemoCommand;
    const parsed = parseDemoOptions(dashboards, ['--committee', '100']);
    expect(parsed.kind === 'values' && simulationOptions(parsed.values).committeeSize).toBe(100);
    const defaults = parseDemoOptions(dashboards, []);
    expect(defaults.kind === 'values' && simulationOptions(defaults.values).committeeSize).toBe(4);
  });
});

describe('the dashboards’ signature verification', () => {
  const dashboards = { command: 'npm run demo', summary: 'x', options: PIPELINE_OPTIONS } as const satisfies DemoCommand;
  it('is off by default; --verify turns it on, --workers sizes the pool (0: one per core)', () => {
    const defaults = parseDemoOptions(dashboards, []);
    expect(defaults.kind === 'values' && simulationOptions(defaults.values)).not.toHaveProperty('verifySignatures');
    const on = parseDemoOptions(dashboards, ['--verify', '--committee', '100']);
    expect(on.kind === 'values' && simulationOptions(on.values)).toMatchObject({ verifySignatures: true, committeeSize: 100 });
    expect(on.kind === 'values' && simulationOptions(on.values)).not.toHaveProperty('verifierWorkers');
    const sized = parseDemoOptions(dashboards, ['--verify', '--workers', '3']);
    expect(sized.kind === 'values' && simulationOptions(sized.values)).toMatchObject({ verifySignatures: true, verifierWorkers: 3 });
    expect(parseDemoOptions(dashboards, ['--workers', '65'])).toEqual({ kind: 'error', message: '--workers "65" is not an integer from 0 to 64' });
  });
});
