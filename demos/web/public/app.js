// The browser dashboard: Server-Sent Events in, uPlot charts and figures out.
'use strict';
(() => {
  const WINDOW = 120; // points kept per chart: a minute at two snapshots a second
  const SPAN_SECONDS = 60; // the time axis always shows the last minute, from the first point on
  const n = (value) => Math.round(value).toLocaleString('en-US');
  const ms = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
  const sum = (record) => Object.values(record).reduce((a, b) => a + b, 0);
  const $ = (id) => document.getElementById(id);

  // The last minute up to the newest point (or now, before there is one): one point is a dot at
  // the right edge, not an axis of a few milliseconds.
  // (From the data, not uPlot's max: for a single point uPlot pads that by a day.)
  const timeRange = (u) => {
    const times = u.data[0] ?? [];
    const end = times.length > 0 ? times[times.length - 1] : Date.now() / 1000;
    return [end - SPAN_SECONDS, end];
  };
  // Counts and durations from zero: a flat line at 1,990/s reads as flat, not as a cliff.
  const fromZero = (u, min, max) => [0, max > 0 ? max * 1.1 : 1];

  const series = { time: [], executed: [], p50: [], p95: [], p99: [], inFlight: [], backlog: [], limit: [] };
  const make = (id, title, lines, data, extraScale) =>
    new uPlot(
      {
        title,
        width: $(id).clientWidth - 12 || 600,
        height: 230,
        scales: { x: { time: true, range: timeRange }, y: { range: fromZero }, ...(extraScale ? { [extraScale]: { range: fromZero } } : {}) },
        axes: [{}, { scale: 'y' }, ...(extraScale ? [{ scale: extraScale, side: 1, grid: { show: false }, label: extraScale }] : [])],
        series: [{}, ...lines.map(([label, stroke, scale]) => ({ label, stroke, width: 2, scale: scale ?? 'y' }))],
      },
      data(),
      $(id),
    );
  const charts = [
    [make('chart-throughput', 'Throughput (executed / s)', [['executed/s', '#2a7ab9']], () => [series.time, series.executed]), () => [series.time, series.executed]],
    [
      make('chart-latency', 'Execution latency (ms)', [['p50', '#3ca55c'], ['p95', '#e0a000'], ['p99', '#d9534f']], () => [series.time, series.p50, series.p95, series.p99]),
      () => [series.time, series.p50, series.p95, series.p99],
    ],
    [
      // The backlog runs to thousands while the limit is 16: on its own scale (right axis), or it flattens the rest.
      make(
        'chart-load',
        'In flight and limit (left) · backlog (right)',
        [['in flight', '#2a7ab9'], ['limit', '#999'], ['backlog', '#d9534f', 'backlog']],
        () => [series.time, series.inFlight, series.limit, series.backlog],
        'backlog',
      ),
      () => [series.time, series.inFlight, series.limit, series.backlog],
    ],
  ];

  let ticks = 0;
  function show(s) {
    const d = s.driver;
    const point = { time: Date.now() / 1000, executed: d.executedPerSecond, p50: d.latencyMs.p50, p95: d.latencyMs.p95, p99: d.latencyMs.p99, inFlight: d.inFlight, backlog: d.backlogSize, limit: d.maxConcurrentExecutions };
    for (const key of Object.keys(series)) {
      series[key].push(point[key]);
      if (series[key].length > WINDOW) series[key].shift();
    }
    for (const [chart, data] of charts) chart.setData(data());
    $('ticks').textContent = String(++ticks);
    $('epoch').textContent = String(s.epoch);
    $('committee').textContent = `${n(s.committee.size)} validators, quorum ${n(s.committee.quorumThreshold)}`;
    $('feed').textContent = s.feed;
    $('paused').textContent = d.paused ? 'PAUSED' : '';
    $('paused').className = d.paused ? 'paused' : '';
    $('throughput').textContent = n(d.executedPerSecond);
    $('in-flight').textContent = String(d.inFlight);
    $('limit').textContent = String(d.maxConcurrentExecutions);
    $('backlog').textContent = n(d.backlogSize);
    $('latency').textContent = `${ms(d.latencyMs.p50)} · ${ms(d.latencyMs.p95)} · ${ms(d.latencyMs.p99)}`;
    $('executed').textContent = n(d.outcomes.executed);
    $('failures').textContent = `${n(d.outcomes.retries)} · ${n(sum(d.outcomes.failed))}`;
    $('skipped').textContent = Object.entries(d.outcomes.skipped).map(([k, v]) => `${k} ${n(v)}`).join(', ');
    $('skipped').style.fontSize = '12px';
    $('refused').textContent = `${n(sum(s.refused))} · ${n(s.retrying)}`;
    $('handed-back').textContent = `${n(s.handedBack['awaiting-creation'])} · ${n(s.handedBack['awaiting-creation-age'])}`;
    $('manager').textContent = `${n(s.manager.pending)} · ${n(s.manager.executing)}`;
    const failures = s.store.kind === 'memory' ? `failures ${Math.round(s.failureRate * 100)} %, transient ${Math.round(s.transientRate * 100)} %` : 'no injected failures (durable)';
    $('dials').textContent = `rate ${n(s.ratePerSecond)}/s, contention ${Math.round(s.contention * 100)} %, ${failures}`;
    $('store').textContent =
      s.store.kind === 'memory'
        ? 'in memory'
        : `LMDB ${(s.store.bytesOnDisk / 1024 ** 2).toFixed(1)} MiB · commit ${s.store.lastCommitIndex === undefined ? '–' : n(s.store.lastCommitIndex)} · pending ${n(s.store.pending)}`;
    $('store').title = s.store.kind === 'memory' ? '' : s.store.path;
    const v = s.verification;
    $('verification').textContent = v.enabled ? `${n(v.verifiedPerSecond)} · ${Math.round(v.busy * 100)} %` : 'off';
    $('verifier-pool').textContent = v.enabled
      ? `${v.workers} workers · ${n(v.queuedBatches)} · ${n(v.inFlightBatches)} · ${n(v.pending)} · ${n(v.refused)} · ${n(v.crashes)}`
      : 'pre-verified (--verify checks every signature on the worker pool)';
    $('events').textContent = s.events.join('\n');
    // Once a stop was asked for (or a fixed run is done) the dials mean nothing: the server refuses them too.
    const over = Boolean(s.stop) || s.feed === 'finished';
    for (const button of $('controls').querySelectorAll('button')) button.disabled = over;
  }

  fetch('/controls')
    .then((response) => response.json())
    .then(({ controls, metricsUrl }) => {
      $('metrics').href = metricsUrl;
      $('metrics').textContent = metricsUrl;
      for (const { key, label } of controls) {
        const button = document.createElement('button');
        button.textContent = label;
        button.dataset.key = key;
        button.title = `key ${key} in the terminal dashboard`;
        button.addEventListener('click', () => fetch(`/control/${encodeURIComponent(key)}`, { method: 'POST' }));
        $('controls').append(button);
      }
    });

  new EventSource('/events').onmessage = (message) => show(JSON.parse(message.data));
  // For the browser test: what each chart shows, by scale.
  const scaleOf = (chart, key) => ({ min: chart.scales[key].min, max: chart.scales[key].max });
  window.dashboard = {
    points: () => series.time.length,
    ticks: () => ticks,
    charts: () =>
      charts.map(([chart]) => ({
        title: chart.root.querySelector('.u-title').textContent,
        scales: Object.fromEntries(Object.keys(chart.scales).map((key) => [key, scaleOf(chart, key)])),
        series: chart.series.slice(1).map((s) => ({ label: s.label, scale: s.scale })),
      })),
  };
})();
