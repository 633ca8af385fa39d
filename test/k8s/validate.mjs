// node validate.mjs FILE...
//
// Validates every object in the YAML files (rendered by `kubectl kustomize`)
// against the Kubernetes schemas that the npm package kubernetes-models
// ships, and STRICTLY: a field the schema does not define (a misspelling
// such as `conccurencyPolicy`, a field in the wrong place) is an error, which
// kubernetes-models alone does not report (its schemas allow additional
// properties, like the API server without --validate=strict).
//
// How the strict check knows the schema: kubernetes-models ships each
// definition of the OpenAPI spec compiled by ajv into a validator
// (kubernetes-models/_schemas/IoK8sApi...mjs). A compiled validator reads
// every property its definition declares (`data.concurrencyPolicy`, to see
// whether it is there) and enumerates the keys only of maps (labels, data:
// definitions with additionalProperties). So the object is walked through a
// Proxy that records, for each node the validator visits, which keys it read
// and whether it enumerated them; an own key it never read, in a node that
// is not a map, is a field the schema does not have. A node the validator
// reads nothing from (a definition without properties) is free-form and left
// alone. Nodes under an unknown field are never visited: the unknown field
// is reported and nothing below it.
//
// Prints one line per object (and per problem); exits 1 when any fails.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const require = createRequire(import.meta.url);

// The compiled validator of apiVersion/kind: the model module imports it.
const validators = new Map();
async function validatorFor(apiVersion, kind) {
	const id = `${apiVersion}/${kind}`;
	if (validators.has(id)) return validators.get(id);
	let validate = null;
	if (/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion) && /^[A-Za-z0-9]+$/.test(kind)) {
		try {
			const model = require.resolve(`kubernetes-models/${apiVersion}/${kind}`).replace(/\.js$/, '.mjs');
			const m = readFileSync(model, 'utf8').match(/from\s*"([^"]*\/_schemas\/[A-Za-z0-9]+\.mjs)"/);
			if (m) validate = (await import(new URL(m[1], pathToFileURL(model)).href)).validate;
		} catch {
			validate = null;
		}
	}
	validators.set(id, validate);
	return validate;
}

const pointer = (path, key) => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

// Wraps obj so that every read of a node is recorded under its JSON pointer.
function instrument(obj) {
	const nodes = new Map(); // pointer -> { value, read: Set, enumerated }
	const proxies = new WeakMap();
	function wrap(value, path) {
		if (value === null || typeof value !== 'object') return value;
		if (proxies.has(value)) return proxies.get(value);
		const node = { value, read: new Set(), enumerated: false };
		nodes.set(path, node);
		const proxy = new Proxy(value, {
			get(target, key, receiver) {
				const v = Reflect.get(target, key, receiver);
				if (typeof key !== 'string') return v;
				node.read.add(key);
				return Object.prototype.hasOwnProperty.call(target, key) ? wrap(v, pointer(path, key)) : v;
			},
			has(target, key) {
				if (typeof key === 'string') node.read.add(key);
				return Reflect.has(target, key);
			},
			ownKeys(target) {
				node.enumerated = true;
				return Reflect.ownKeys(target);
			},
		});
		proxies.set(value, proxy);
		return proxy;
	}
	return { proxy: wrap(obj, ''), nodes };
}

function distance(a, b) {
	const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
	for (let j = 1; j <= b.length; j++) d[0][j] = j;
	for (let i = 1; i <= a.length; i++)
		for (let j = 1; j <= b.length; j++)
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1,
				d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
	return d[a.length][b.length];
}

function suggestion(key, known) {
	let best = null, bestDistance = Infinity;
	for (const k of known) {
		const dist = distance(key, k);
		if (dist < bestDistance) [best, bestDistance] = [k, dist];
	}
	return best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean ${best}?)` : '';
}

// Returns a list of problems: schema errors, then unknown fields.
export async function check(obj) {
	const { apiVersion, kind } = obj;
	const validate = await validatorFor(apiVersion, kind);
	if (!validate) return [`unknown apiVersion/kind ${apiVersion} ${kind} (not in kubernetes-models)`];
	const problems = [];
	const plain = structuredClone(obj);
	if (!validate(plain))
		for (const e of validate.errors)
			problems.push(`schema: ${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
	const { proxy, nodes } = instrument(structuredClone(obj));
	const strictOk = validate(proxy);
	// The instrumented run must judge like the plain one, or the records lie.
	if (strictOk !== (problems.length === 0))
		problems.push('internal: the instrumented validation disagrees with the plain one');
	for (const [path, node] of nodes) {
		if (Array.isArray(node.value) || node.enumerated || node.read.size === 0) continue;
		for (const key of Object.keys(node.value))
			if (!node.read.has(key))
				problems.push(`unknown field: ${pointer(path, key)}${suggestion(key, node.read)}`);
	}
	return problems;
}

async function main(files) {
	let bad = 0, ok = 0;
	for (const file of files) {
		for (const [i, doc] of parseAllDocuments(readFileSync(file, 'utf8')).entries()) {
			const where = `${file}#${i}`;
			if (doc.errors.length) {
				console.log(`${where}: YAML error: ${doc.errors[0].message}`);
				bad++;
				continue;
			}
			const obj = doc.toJS();
			if (obj === null || obj === undefined) continue; // an empty document
			if (typeof obj !== 'object' || Array.isArray(obj)) {
				console.log(`${where}: not an object`);
				bad++;
				continue;
			}
			const name = `${obj.kind}/${obj.metadata?.name}`;
			const problems = await check(obj);
			if (problems.length === 0) {
				console.log(`${where}: OK ${name}`);
				ok++;
			} else {
				console.log(`${where}: INVALID ${name}:`);
				for (const p of problems) console.log(`   ${p}`);
				bad++;
			}
		}
	}
	console.log(`${ok} valid, ${bad} invalid`);
	return bad === 0 && ok > 0;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
	if (process.argv.length < 3) {
		console.error('usage: node validate.mjs FILE...');
		process.exit(2);
	}
	process.exit((await main(process.argv.slice(2))) ? 0 : 1);
}
