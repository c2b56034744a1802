import { parseArgs } from 'node:util';

/** A numeric option: its range, its default, and what it means (for --help). */
export interface NumberOption {
  readonly type: 'integer' | 'number';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly help: string;
}

/** An option without a value: present or not. */
export interface FlagOption {
  readonly type: 'flag';
  readonly help: string;
}

/** An option with a text value (a path): absent unless given. */
export interface TextOption {
  readonly type: 'text';
  /** What the value is, in the help: `--db PATH`. */
  readonly placeholder: string;
  readonly help: string;
}

export type OptionSpec = NumberOption | FlagOption | TextOption;

/** What a demo's command line is made of. */
export interface DemoCommand {
  /** How it is run, e.g. `npm run demo:web`. */
  readonly command: string;
  /** One line on what it does. */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
}

/** The parsed values: numbers for numeric options, booleans for flags, the text (or undefined) for text options. */
export type OptionValues<O extends Readonly<Record<string, OptionSpec>>> = {
  readonly [K in keyof O]: O[K] extends FlagOption ? boolean : O[K] extends TextOption ? string | undefined : number;
};

/** Either the values, the help text to print, or the one-line reason the command line is wrong. */
export type ParsedOptions<O extends Readonly<Record<string, OptionSpec>>> =
  | { readonly kind: 'values'; readonly values: OptionValues<O> }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string };

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Parse `argv` against `demo`'s options. Pure: prints nothing, exits nothing. */
export function parseDemoOptions<O extends Readonly<Record<string, OptionSpec>>>(demo: DemoCommand & { readonly options: O }, argv: readonly string[]): ParsedOptions<O> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.entries(demo.options).map(([name, spec]) => [name, { type: spec.type === 'flag' ? ('boolean' as const) : ('string' as const) }])),
      },
    });
  } catch (error) {
    return { kind: 'error', message: parseArgsMessage(error) };
  }
  if (parsed.values.help === true) return { kind: 'help', text: helpText(demo) };
  const values: Record<string, number | boolean | string | undefined> = {};
  for (const [name, spec] of Object.entries(demo.options)) {
    const given = parsed.values[name];
    if (spec.type === 'flag') {
      values[name] = given === true;
      continue;
    }
    if (spec.type === 'text') {
      if (given === '') return { kind: 'error', message: `--${name} needs a value` };
      values[name] = given === undefined ? undefined : String(given);
      continue;
    }
    if (given === undefined) {
      values[name] = spec.default;
      continue;
    }
    const text = String(given);
    const value = (spec.type === 'integer' ? INTEGER : NUMBER).test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value) || value < spec.min || value > spec.max) {
      return { kind: 'error', message: `--${name} ${JSON.stringify(text)} is not ${expected(spec)}` };
    }
    values[name] = value;
  }
  return { kind: 'values', values: values as OptionValues<O> };
}

/**
 * The demo's options from the process's command line. `--help` prints the
 * help and exits 0; a wrong command line prints what is wrong in one line on
 * stderr and exits 2 (a usage error), before anything starts.
 */
export function demoOptions<O extends Readonly<Record<string, OptionSpec>>>(demo: DemoCommand & { readonly options: O }, argv: readonly string[] = process.argv.slice(2)): OptionValues<O> {
  const parsed = parseDemoOptions(demo, argv);
  if (parsed.kind === 'values') return parsed.values;
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.text}\n`);
    process.exit(0);
  }
  process.stderr.write(`${demo.command}: ${parsed.message} (see ${demo.command} -- --help)\n`);
  process.exit(2);
}

/** The --help text: what the demo does and every option with its default. */
export function helpText(demo: DemoCommand): string {
  const rows = Object.entries(demo.options).map(([name, spec]) => {
    const usage = spec.type === 'flag' ? `--${name}` : spec.type === 'text' ? `--${name} ${spec.placeholder}` : `--${name} N`;
    const detail = spec.type === 'flag' || spec.type === 'text' ? spec.help : `${spec.help} (${expected(spec)}; default ${spec.default})`;
    return [usage, detail] as const;
  });
  rows.push(['--help, -h', 'this help']);
  const width = Math.max(...rows.map(([usage]) => usage.length));
  const options = demo.options;
  const example = Object.keys(options).length > 0 ? ` -- [options]` : '';
  return [demo.summary, '', `Usage: ${demo.command}${example}`, '', ...rows.map(([usage, detail]) => `  ${usage.padEnd(width)}  ${detail}`)].join('\n');
}

function expected(spec: NumberOption): string {
  const kind = spec.type === 'integer' ? 'an integer' : 'a number';
  const range = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 6 });
  return `${kind} from ${range(spec.min)} to ${range(spec.max)}`;
}

/** parseArgs's errors, in one short line each. */
function parseArgsMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message ?? '')?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted ?? '')}: options are --name value`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = (quoted ?? 'an option').replace(' <value>', '');
      if (message?.includes('does not take') === true) return `${option} takes no value`;
      if (message?.includes('ambiguous') === true) return `${option} needs a value (one starting with "-" is written ${option}=-N)`;
      return `${option} needs a value`;
    }
    default:
      return message ?? String(error);
  }
}
