// Summarises a V8 .cpuprofile: self time per function (top N), and total per file.
const fs = require('fs');
const [file, topN = 35] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
const total = dt.reduce((a, b) => a + b, 0);
profile.samples.forEach((id, i) => self.set(id, (self.get(id) || 0) + (dt[i] || 0)));
const agg = new Map();
const perFile = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/work\/main\//, '')}:${cf.lineNumber}`;
  agg.set(key, (agg.get(key) || 0) + t);
  const f = cf.url.replace(/.*node_modules\/(@[^/]+\/[^/]+|[^/]+).*/, 'nm:$1').replace(/.*\/work\/main\//, '') || cf.functionName;
  perFile.set(f, (perFile.get(f) || 0) + t);
}
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5) + '%';
console.log('--- self time by function');
[...agg].sort((a, b) => b[1] - a[1]).slice(0, +topN).forEach(([k, t]) => console.log(pct(t), k));
console.log('--- by file/package');
[...perFile].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, t]) => console.log(pct(t), k));
