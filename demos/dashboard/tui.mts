/**
 * The interactive terminal dashboard, drawn with Ink (React for terminals).
 * An ES module because Ink is one. Written with createElement, not JSX, so
 * it needs no JSX toolchain.
 */
import { Box, Text, render, useApp, useInput, useStdout } from 'ink';
import React, { useEffect, useState } from 'react';
import { serveMetrics } from '../../lib/index.js';
import { acceptsControls, controlFor, helpItems, runControl, wrapItems } from '../shared/controls.js';
import { dashboardRows } from '../shared/format.js';
import { Simulation, type SimulationOptions, type SimulationSnapshot } from '../shared/simulation.js';

const h = React.createElement;
const HISTORY = 40;
const LABEL_WIDTH = 12;
/** Lines around the rows and events: title, three blanks, the Events heading, and one spare so the frame never fills the screen (it would scroll). */
const FRAME_LINES = 6;

/** The terminal's size, kept current on resize. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** One line, cut at the terminal's edge instead of wrapped: rows keep their alignment and the title its place. */
function line(key: string, text: string, props: Record<string, unknown> = {}): React.ReactElement {
  return h(Text, { key, wrap: 'truncate-end', ...props }, text);
}

function Dashboard({ simulation, metricsUrl }: { simulation: Simulation; metricsUrl: string }): React.ReactElement {
  const [snapshot, setSnapshot] = useState<SimulationSnapshot>(() => simulation.current());
  const [history, setHistory] = useState<number[]>([]);
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();

  useEffect(() => {
    const subscription = simulation.snapshots$.subscribe((s) => {
      setSnapshot(s);
      setHistory((previous) => [...previous.slice(-(HISTORY - 1)), s.driver.executedPerSecond]);
    });
    // Events (a key's effect, a stop completing) redraw at once, between ticks. A subscription
    // of its own: the snapshots complete when the run ends, and a stop's last event comes after.
    const events = simulation.events$.subscribe(() => setSnapshot(simulation.current()));
    return () => {
      subscription.unsubscribe();
      events.unsubscribe();
    };
  }, [simulation]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      quit();
      return;
    }
    // Keys typed quickly, or pasted, arrive as one chunk: each character is a key.
    for (const character of input) {
      if (character === 'q') {
        quit();
        return;
      }
      const control = controlFor(character);
      if (control) runControl(control, simulation);
    }
  });

  function quit(): void {
    void simulation.stop('abort').finally(() => exit());
  }

  const width = Math.max(20, columns - 2); // paddingX 1
  const table = dashboardRows(snapshot, history.slice(-Math.max(1, width - LABEL_WIDTH - 20)));
  const help = wrapItems(acceptsControls(simulation) ? helpItems() : ['the run is over', 'q quit'], width - 'Keys: '.length);
  const eventRoom = Math.max(1, rows - FRAME_LINES - table.length - help.length);
  const events = (snapshot.events.length === 0 ? ['(none yet)'] : snapshot.events).slice(-eventRoom);

  return h(
    Box,
    { flexDirection: 'column', paddingX: 1, width: columns },
    line('title', 'soma-execution-driver · live validator pipeline', { bold: true, color: 'cyan' }),
    line('metrics', `metrics ${metricsUrl}`, { dimColor: true }),
    ...table.map(([label, value]) =>
      h(Box, { key: label }, h(Box, { width: LABEL_WIDTH, flexShrink: 0 }, h(Text, { bold: true }, label)), line('value', value)),
    ),
    h(Text, null, ' '),
    h(Text, { bold: true }, 'Events'),
    ...events.map((event, i) => line(`e${i}`, `  ${event}`, { dimColor: true })),
    h(Text, null, ' '),
    ...help.map((text, i) => line(`k${i}`, `${i === 0 ? 'Keys: ' : '      '}${text}`, { color: 'yellow' })),
  );
}

/** Run the dashboard until the user quits. */
export async function runInteractive(options: SimulationOptions): Promise<void> {
  const simulation = await Simulation.start(options);
  const server = await serveMetrics({ registry: simulation.registry, processMetrics: true });
  const app = render(h(Dashboard, { simulation, metricsUrl: server.url }), { exitOnCtrlC: false });
  await app.waitUntilExit();
  await server.close();
}
