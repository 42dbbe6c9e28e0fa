/**
 * Preload for the service in any bench (`BENCH_NODE_ARGS="--require ./bench/lib/event-loop-delay.js"`):
 * once a second, the main thread's event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution)
 * and its GC pauses, one JSON line appended to ELD_FILE (default /tmp/eld.log). Plain JavaScript: it is
 * loaded by node itself, before the service; worker threads are left alone.
 */
const fs = require('node:fs');
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const file = process.env.ELD_FILE || '/tmp/eld.log';
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gc = { count: 0, ms: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.ms += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  setInterval(() => {
    const line = { at: new Date().toISOString(), p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), gcCount: gc.count, gcMs: Math.round(gc.ms * 10) / 10, gcMaxMs: Math.round(gc.maxMs * 10) / 10 };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    delay.reset();
    gc = { count: 0, ms: 0, maxMs: 0 };
  }, 1000).unref();
}
