/**
 * The interactive terminal dashboard, drawn with Ink (React for terminals).
 * An ES module because Ink is one. Written with createElement, not JSX, so
 * it needs no JSX toolchain.
 */
import { Box, Text, render, useApp, useInput } from 'ink';
import React, { useEffect, useState } from 'react';
import { serveMetrics } from '../../lib/index.js';
import { controlFor, helpLine } from '../shared/controls.js';
import { dashboardRows } from '../shared/format.js';
import { Simulation, type SimulationOptions, type SimulationSnapshot } from '../shared/simulation.js';

const h = React.createElement;
const HISTORY = 40;

function Dashboard({ simulation, metricsUrl }: { simulation: Simulation; metricsUrl: string }): React.ReactElement {
  const [snapshot, setSnapshot] = useState<SimulationSnapshot>(() => simulation.current());
  const [history, setHistory] = useState<number[]>([]);
  const { exit } = useApp();

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
    if (input === 'q' || (key.ctrl && input === 'c')) {
      void simulation.stop('abort').finally(() => exit());
      return;
    }
    const control = controlFor(input);
    if (!control) return;
    control.run(simulation);
  });

  return h(
    Box,
    { flexDirection: 'column', paddingX: 1 },
    h(Text, { bold: true, color: 'cyan' }, `soma-execution-driver · live validator pipeline · metrics ${metricsUrl}`),
    h(Text, null, ' '),
    ...dashboardRows(snapshot, history).map(([label, value]) =>
      h(Box, { key: label }, h(Box, { width: 12 }, h(Text, { bold: true }, label)), h(Text, null, value)),
    ),
    h(Text, null, ' '),
    h(Text, { bold: true }, 'Events'),
    ...(snapshot.events.length === 0 ? ['(none yet)'] : snapshot.events).map((event, i) => h(Text, { key: `e${i}`, dimColor: true }, `  ${event}`)),
    h(Text, null, ' '),
    h(Text, { color: 'yellow' }, `Keys: ${helpLine()}`),
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
