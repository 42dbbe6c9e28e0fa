/**
 * Timeline of a .cpuprofile (from --cpu-prof): per BIN ms (default 20) between FROM and TO seconds, how busy
 * the thread was and its heaviest frames of the service (dist/), inclusive. Shows which work held the loop when.
 * Usage: BIN=20 FROM=0 TO=60 node bench/lib/profile-timeline.js CPU.….cpuprofile
 */
const fs = require('node:fs');

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/lib/profile-timeline.js FILE.cpuprofile');
const BIN = Number(process.env.BIN ?? 20);
const FROM = Number(process.env.FROM ?? 0);
const TO = Number(process.env.TO ?? Infinity);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
const label = (id) => {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/.*\/dist\//, '')}:${lineNumber + 1}`;
};

const bins = new Map();
let t = profile.startTime;
profile.samples.forEach((sample, i) => {
  t += profile.timeDeltas[i];
  const seconds = (t - profile.startTime) / 1e6;
  if (seconds < FROM || seconds > TO) return;
  const key = Math.floor((seconds * 1000) / BIN);
  const bin = bins.get(key) ?? { samples: 0, idle: 0, frames: new Map() };
  bins.set(key, bin);
  bin.samples++;
  if (nodes.get(sample).callFrame.functionName === '(idle)') return void bin.idle++;
  const seen = new Set();
  for (let id = sample; id !== undefined; id = parentOf.get(id)) {
    const { url, functionName } = nodes.get(id).callFrame;
    if (!url.includes('/dist/') && functionName !== 'writev' && functionName !== '(garbage collector)') continue;
    const name = label(id);
    if (seen.has(name)) continue;
    seen.add(name);
    bin.frames.set(name, (bin.frames.get(name) ?? 0) + 1);
  }
});
for (const [key, bin] of [...bins].sort((a, b) => a[0] - b[0])) {
  const busy = Math.round((100 * (bin.samples - bin.idle)) / bin.samples);
  const heaviest = [...bin.frames].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, n]) => `${n} ${name}`).join(' | ');
  console.log(`${((key * BIN) / 1000).toFixed(2)} s  busy ${String(busy).padStart(3)}%  ${heaviest}`);
}
