// node monitoring.mjs RENDERED OUTDIR
//
// Splits the rendered k8s/monitoring (kubectl kustomize) for the offline
// checks of test/integration/k8s.sh: OUTDIR/rules.yaml, the PrometheusRule's
// rule group as promtool reads it; OUTDIR/dashboard.json, the Grafana
// dashboard from its ConfigMap; OUTDIR/core.yaml, the objects the Kubernetes
// schemas know (validate.mjs); OUTDIR/exprs.txt, every PromQL expression of
// the rules and the dashboard, one a line.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

const [rendered, out] = process.argv.slice(2);
const docs = parseAllDocuments(readFileSync(rendered, 'utf8')).map((d) => d.toJS());
const rules = docs.filter((d) => d.kind === 'PrometheusRule');
const maps = docs.filter((d) => d.kind === 'ConfigMap' && d.data && d.data['tierdump-dashboard.json']);
if (rules.length !== 1 || maps.length !== 1) {
	console.error(`expected one PrometheusRule and one dashboard ConfigMap, found ${rules.length} and ${maps.length}`);
	process.exit(1);
}
const dashboard = JSON.parse(maps[0].data['tierdump-dashboard.json']);
writeFileSync(`${out}/rules.yaml`, stringify(rules[0].spec));
writeFileSync(`${out}/dashboard.json`, JSON.stringify(dashboard, null, 2));
writeFileSync(`${out}/core.yaml`, docs.filter((d) => d.kind !== 'PrometheusRule').map((d) => stringify(d)).join('---\n'));
const exprs = [];
for (const g of rules[0].spec.groups) for (const r of g.rules) exprs.push(r.expr);
for (const p of dashboard.panels) for (const t of p.targets || []) exprs.push(t.expr);
for (const v of dashboard.templating?.list || []) if (v.definition) exprs.push(v.definition);
writeFileSync(`${out}/exprs.txt`, exprs.map((e) => e.replace(/\s+/g, ' ').trim()).join('\n') + '\n');
console.log(`${rules[0].spec.groups[0].rules.length} rules, ${dashboard.panels.length} panels, ${exprs.length} expressions`);
