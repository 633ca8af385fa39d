// node assert-stack.mjs ROOT BASE.yaml S3.yaml [VERIFY.yaml [PITR.yaml]]
//
// Asserts what the rendered manifests must say about tierdump (BASE.yaml is
// `kubectl kustomize k8s`, S3.yaml `kubectl kustomize k8s/overlays/s3`,
// ROOT the source tree): the four stacked CronJobs agree with tiers/*.conf,
// the pods are locked down, only the hourly tier has database credentials,
// the recover Job lists, the NetworkPolicy, the s3 overlay, and (VERIFY.yaml,
// `kubectl kustomize k8s/overlays/verify`) the test-restore CronJob, and
// (PITR.yaml, `kubectl kustomize k8s/overlays/pitr`) physical base backups
// and the --check CronJob.
// Prints one line per assertion, "pass NAME" or "fail NAME<TAB>DETAIL", for
// test/integration/k8s.sh to count; exits 0 when it could run at all.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const [root, baseFile, s3File, verifyFile, pitrFile] = process.argv.slice(2);
if (!s3File) {
	console.error('usage: node assert-stack.mjs ROOT BASE.yaml S3.yaml [VERIFY.yaml]');
	process.exit(2);
}

function assert(name, ok, detail = '') {
	if (ok) console.log(`pass ${name}`);
	else console.log(`fail ${name}\t${detail}`.replace(/\n/g, ' '));
}
// assert that fn() returns nothing (or an empty list); what it returns is the detail.
function expect(name, fn) {
	let problems;
	try {
		problems = fn();
	} catch (e) {
		problems = [`threw ${e.message}`];
	}
	if (Array.isArray(problems)) problems = problems.filter(Boolean);
	const bad = Array.isArray(problems) ? problems.length > 0 : Boolean(problems);
	assert(name, !bad, Array.isArray(problems) ? problems.slice(0, 6).join('; ') : String(problems));
}

const load = (file) =>
	parseAllDocuments(readFileSync(file, 'utf8'))
		.map((d) => d.toJS())
		.filter((o) => o && typeof o === 'object');

// tiers/<tier>.conf: libconfig `key = value;` lines.
function readTier(tier) {
	const conf = {};
	for (const line of readFileSync(join(root, 'tiers', `${tier}.conf`), 'utf8').split('\n')) {
		const m = line.match(/^\s*([a-z_]+)\s*=\s*("([^"]*)"|[0-9]+)\s*;/);
		if (m) conf[m[1]] = m[3] ?? Number(m[2]);
	}
	return conf;
}

// The environment variables the binaries read: src/conf.c's settings table,
// plus NAME_FILE for each secret NAME.
function knownEnv() {
	const names = new Set();
	const src = readFileSync(join(root, 'src', 'conf.c'), 'utf8');
	for (const m of src.matchAll(/\{\s*"([A-Z][A-Z0-9_]*)"\s*,[^,]*,[^,]*,\s*SETTING_[A-Z]+\s*,\s*([01])/g)) {
		names.add(m[1]);
		if (m[2] === '1') names.add(`${m[1]}_FILE`);
	}
	return names;
}

const TIERS = ['hourly', 'daily', 'weekly', 'monthly'];
const CHAIN = { daily: 'hourly', weekly: 'daily', monthly: 'weekly' };
const IMAGE_USER = 10001;
const policy = Object.fromEntries(TIERS.map((t) => [t, readTier(t)]));
const envNames = knownEnv();
// Set by the s3 overlay for the S3 store (implemented separately; not in conf.c yet).
const STORE_ENV = new Set(['BACKUP_STORE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
// Set by the s3 overlay for encryption at rest: the hourly CronJob's recipients, the recover Job's identity.
const AGE_ENV = { 'tierdump-hourly': ['BACKUP_ENCRYPTION', 'BACKUP_RECIPIENTS_FILE'], 'tierdump-recover': ['RECOVER_IDENTITY_FILE'] };
const AGE_VOLUMES = new Set(['age-recipients', 'age-identity']);
const AGE_IDENTITY_SECRET = 'tierdump-age-identity';

const cronJobs = (objs) => objs.filter((o) => o.kind === 'CronJob');
const podSpec = (o) => (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec);
const podLabels = (o) => (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.metadata?.labels : o.spec?.template?.metadata?.labels) ?? {};
const jobSpec = (o) => (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec : o.spec);
const container = (o) => podSpec(o)?.containers?.[0] ?? {};
const env = (o) => Object.fromEntries((container(o).env ?? []).map((e) => [e.name, e]));
const envValue = (o, name) => env(o)[name]?.value;
const workloads = (objs) => objs.filter((o) => o.kind === 'CronJob' || o.kind === 'Job');
const byName = (objs, kind, name) => objs.find((o) => o.kind === kind && o.metadata?.name === name);
const mountAt = (o, path) => (container(o).volumeMounts ?? []).find((m) => m.mountPath === path);
const volume = (o, name) => (podSpec(o)?.volumes ?? []).find((v) => v.name === name);

// Memory quantity in bytes (enough of the Kubernetes quantity syntax for limits).
function bytes(q) {
	const m = String(q).match(/^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/);
	if (!m) return NaN;
	const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]] ?? 1;
	return Number(m[1]) * unit;
}

// Minutes after midnight of the run of a simple cron schedule ("M H ..." or
// "M * ...") in the hour `hour` of the day it runs.
function runMinute(schedule, hour) {
	const [m, h] = schedule.split(/\s+/);
	if (!/^[0-9]+$/.test(m) || !(/^[0-9]+$/.test(h) || h === '*')) return NaN;
	return (h === '*' ? hour : Number(h)) * 60 + Number(m);
}

function stackAssertions(label, objs) {
	const cjs = cronJobs(objs);
	assert(`${label}: exactly four CronJobs, tierdump-hourly/daily/weekly/monthly`,
		cjs.length === 4 && TIERS.every((t) => byName(objs, 'CronJob', `tierdump-${t}`)),
		`got ${cjs.map((o) => o.metadata?.name).join(', ')}`);
	const images = new Set(workloads(objs).flatMap((o) => (podSpec(o)?.containers ?? []).map((c) => c.image)));
	assert(`${label}: every CronJob and the recover Job run one image`, images.size === 1, [...images].join(', '));
	for (const tier of TIERS) {
		const cj = byName(objs, 'CronJob', `tierdump-${tier}`);
		if (!cj) continue;
		const p = policy[tier];
		assert(`${label}: ${tier}: BACKUP_TYPE=${tier}`, envValue(cj, 'BACKUP_TYPE') === tier, `got ${envValue(cj, 'BACKUP_TYPE')}`);
		assert(`${label}: ${tier}: BACKUP_COUNT is tiers/${tier}.conf's backup_count (${p.backup_count})`,
			envValue(cj, 'BACKUP_COUNT') === String(p.backup_count), `got ${envValue(cj, 'BACKUP_COUNT')}`);
		assert(`${label}: ${tier}: schedule is tiers/${tier}.conf's (${p.schedule})`, cj.spec.schedule === p.schedule, `got ${cj.spec.schedule}`);
		assert(`${label}: ${tier}: concurrencyPolicy Forbid`, cj.spec.concurrencyPolicy === 'Forbid', `got ${cj.spec.concurrencyPolicy}`);
		if (tier === 'hourly') {
			assert(`${label}: hourly: no BACKUP_PRIOR_TYPE`, !env(cj).BACKUP_PRIOR_TYPE);
		} else {
			assert(`${label}: ${tier}: BACKUP_PRIOR_TYPE=${CHAIN[tier]} (${tier} <- ${CHAIN[tier]}), as tiers/${tier}.conf says`,
				envValue(cj, 'BACKUP_PRIOR_TYPE') === CHAIN[tier] && p.backup_prior_type === CHAIN[tier],
				`manifest ${envValue(cj, 'BACKUP_PRIOR_TYPE')}, tiers/ ${p.backup_prior_type}`);
		}
		expect(`${label}: ${tier}: sets only its tier's variables${tier === 'hourly' ? ' and the database connection' : ''}`, () => {
			const allowed = new Set(['BACKUP_TYPE', 'BACKUP_COUNT', ...(tier === 'hourly'
				? ['PGHOST', 'PGUSER', 'PGADMINPASS_FILE', 'BACKUP_THREADS']
				: ['BACKUP_PRIOR_TYPE']), ...(label === 's3' ? [...STORE_ENV, ...(AGE_ENV[cj.metadata.name] ?? [])] : [])]);
			return Object.keys(env(cj)).filter((n) => !allowed.has(n)).map((n) => `sets ${n}`);
		});
		expect(`${label}: ${tier}: job limits (startingDeadlineSeconds, backoffLimit, history limits, activeDeadlineSeconds)`, () => {
			const j = jobSpec(cj);
			// [name, value, least allowed]
			return [['startingDeadlineSeconds', cj.spec.startingDeadlineSeconds, 1], ['successfulJobsHistoryLimit', cj.spec.successfulJobsHistoryLimit, 0],
				['failedJobsHistoryLimit', cj.spec.failedJobsHistoryLimit, 1], ['backoffLimit', j?.backoffLimit, 0],
				['activeDeadlineSeconds', j?.activeDeadlineSeconds, 1]]
				.filter(([, v, least]) => !Number.isInteger(v) || v < least)
				.map(([k, v]) => `${k}=${v}`);
		});
		if (CHAIN[tier]) {
			// The tier below, started at its latest and stopped at its deadline,
			// is over before this one starts.
			const below = byName(objs, 'CronJob', `tierdump-${CHAIN[tier]}`);
			if (below) {
				const hour = Math.floor(runMinute(cj.spec.schedule, 0) / 60);
				const start = runMinute(cj.spec.schedule, hour) * 60;
				const belowStart = runMinute(below.spec.schedule, hour) * 60;
				const belowEnd = belowStart + below.spec.startingDeadlineSeconds + jobSpec(below).activeDeadlineSeconds;
				assert(`${label}: ${tier} starts after ${CHAIN[tier]} has finished (start + startingDeadlineSeconds + activeDeadlineSeconds)`,
					belowStart < start && belowEnd <= start,
					`${CHAIN[tier]} may run until minute ${belowEnd / 60}, ${tier} starts at minute ${start / 60}`);
			}
		}
		const dbEnv = Object.keys(env(cj)).filter((n) => /^PG|^DATABASE/.test(n));
		if (tier === 'hourly') {
			assert(`${label}: hourly: PGHOST, PGUSER and PGADMINPASS_FILE set`,
				['PGHOST', 'PGUSER', 'PGADMINPASS_FILE'].every((n) => envValue(cj, n)), dbEnv.join(','));
		} else {
			expect(`${label}: ${tier}: no database credentials (no PG* variable, no Secret file, no config file)`, () => [
				...dbEnv.map((n) => `sets ${n}`),
				...(podSpec(cj).volumes ?? []).filter((v) => v.secret || v.configMap).map((v) => `mounts ${v.name}`),
				...Object.values(env(cj)).filter((e) => e.valueFrom?.secretKeyRef && !STORE_ENV.has(e.name)).map((e) => `${e.name} from a Secret`),
			]);
		}
	}
}

// One assertion per property, over every pod (the four CronJobs' and the
// recover Job's); the detail names the pods that miss it.
function podAssertions(label, objs) {
	const checks = [];
	const each = (name, fn) => checks.push([name, fn]);
	each(`pod security (non-root ${IMAGE_USER}, read-only root, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault)`, (o, pod, c) => {
		const psc = pod.securityContext ?? {};
		const csc = c.securityContext ?? {};
		return [
			(csc.runAsNonRoot ?? psc.runAsNonRoot) !== true && 'runAsNonRoot is not true',
			(csc.runAsUser ?? psc.runAsUser) !== IMAGE_USER && `runAsUser ${csc.runAsUser ?? psc.runAsUser}`,
			csc.readOnlyRootFilesystem !== true && 'readOnlyRootFilesystem is not true',
			csc.allowPrivilegeEscalation !== false && 'allowPrivilegeEscalation is not false',
			!(csc.capabilities?.drop ?? []).includes('ALL') && 'capabilities do not drop ALL',
			(csc.capabilities?.add ?? []).length > 0 && 'adds capabilities',
			(csc.seccompProfile ?? psc.seccompProfile)?.type !== 'RuntimeDefault' && 'seccompProfile is not RuntimeDefault',
			csc.privileged === true && 'privileged',
			(pod.containers ?? []).length !== 1 && `${(pod.containers ?? []).length} containers`,
			(pod.initContainers ?? []).length > 0 && 'init containers',
		];
	});
	each('a writable emptyDir at /tmp (TMPDIR: the private pgpass file)', (o) => {
		const m = mountAt(o, '/tmp');
		if (!m) return ['nothing at /tmp'];
		return [!volume(o, m.name)?.emptyDir && `/tmp is ${JSON.stringify(volume(o, m.name))}`, m.readOnly && '/tmp is read-only'];
	});
	each('terminationMessagePolicy FallbackToLogsOnError', (o, pod, c) =>
		c.terminationMessagePolicy !== 'FallbackToLogsOnError' && `${c.terminationMessagePolicy}`);
	each('cpu and memory requests and limits, a memory limit of at least 128Mi', (o, pod, c) => {
		const r = c.resources ?? {};
		return [...['requests', 'limits'].flatMap((k) => ['cpu', 'memory'].filter((x) => !r[k]?.[x]).map((x) => `no ${k}.${x}`)),
			!(bytes(r.limits?.memory) >= 128 * 2 ** 20) && `memory limit ${r.limits?.memory}`,
			bytes(r.requests?.memory) > bytes(r.limits?.memory) && 'memory request above its limit'];
	});
	each('restartPolicy Never, no service account token', (o, pod) =>
		[pod.restartPolicy !== 'Never' && `restartPolicy ${pod.restartPolicy}`,
			pod.automountServiceAccountToken !== false && 'mounts a service account token']);
	each(`every variable is one the binaries read (src/conf.c)${label === 's3' ? ' or the S3 store\'s' : ''}`, (o) =>
		Object.keys(env(o)).filter((n) => !envNames.has(n) && !(label === 's3' && STORE_ENV.has(n))).map((n) => `unknown ${n}`));
	each('labelled app.kubernetes.io/name=tierdump (the NetworkPolicy selects them)', (o) =>
		podLabels(o)['app.kubernetes.io/name'] !== 'tierdump' && `labels ${JSON.stringify(podLabels(o))}`);
	// The password file: PGADMINPASS_FILE, and tierdump.conf's pgadminpass_file
	// when the config is mounted, must be the file the Secret volume provides.
	each('PGADMINPASS_FILE, if set, is the mounted Secret\'s PGADMINPASS', (o, pod, c) => {
		const passFile = envValue(o, 'PGADMINPASS_FILE');
		if (!passFile) return [];
		const provided = (c.volumeMounts ?? []).flatMap((m) => {
			const s = volume(o, m.name)?.secret;
			return s ? (s.items ?? []).filter((i) => i.key === 'PGADMINPASS').map((i) => `${m.mountPath}/${i.path}`) : [];
		});
		return !provided.includes(passFile) && `${passFile}, but the Secret provides ${provided.join(', ') || 'nothing'}`;
	});
	each('a mounted /etc/tierdump.conf is the ConfigMap, and the password file it names is mounted', (o) => {
		const m = mountAt(o, '/etc/tierdump.conf');
		if (!m) return [];
		const cm = objs.find((x) => x.kind === 'ConfigMap' && x.metadata.name === volume(o, m.name)?.configMap?.name);
		if (!cm) return ['no such ConfigMap'];
		const text = cm.data?.[m.subPath];
		const named = text?.match(/^\s*pgadminpass_file\s*=\s*"([^"]*)"/m)?.[1];
		return [!text && `the ConfigMap has no ${m.subPath}`,
			named && named !== envValue(o, 'PGADMINPASS_FILE') && `tierdump.conf reads ${named}, PGADMINPASS_FILE is ${envValue(o, 'PGADMINPASS_FILE')}`];
	});
	for (const [name, fn] of checks)
		expect(`${label}: every pod: ${name}`, () => workloads(objs).flatMap((o) => {
			let r = fn(o, podSpec(o) ?? {}, container(o));
			r = (Array.isArray(r) ? r : [r]).filter(Boolean);
			return r.map((x) => `${o.metadata.name}: ${x}`);
		}));
	assert(`${label}: the config file only where the Secret is (hourly, recover)`, workloads(objs).every((o) =>
		Boolean(mountAt(o, '/etc/tierdump.conf')) === Boolean(envValue(o, 'PGADMINPASS_FILE'))));
}

function secretAssertions(label, objs, example) {
	const exampleKeys = new Set(Object.keys(example?.stringData ?? {}).concat(Object.keys(example?.data ?? {})));
	expect(`${label}: no Secret is rendered (the example is applied by hand, never over the real one)`, () =>
		objs.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
	expect(`${label}: every Secret reference is a key of tierdump-secrets.example.yaml`, () =>
		workloads(objs).flatMap((o) => [
			...(podSpec(o).volumes ?? []).filter((v) => v.secret && !(v.secret.secretName === AGE_IDENTITY_SECRET && v.secret.optional)).flatMap((v) => [
				v.secret.secretName !== example?.metadata?.name && `${o.metadata.name}: Secret ${v.secret.secretName}`,
				...(v.secret.items ?? []).filter((i) => !exampleKeys.has(i.key)).map((i) => `${o.metadata.name}: key ${i.key}`)]),
			...Object.values(env(o)).map((e) => e.valueFrom?.secretKeyRef).filter(Boolean).flatMap((r) => [
				r.name !== example?.metadata?.name && `${o.metadata.name}: Secret ${r.name}`,
				!exampleKeys.has(r.key) && `${o.metadata.name}: key ${r.key}`])]));
}

function networkAssertions(label, objs, ports) {
	const nps = objs.filter((o) => o.kind === 'NetworkPolicy');
	assert(`${label}: one NetworkPolicy`, nps.length === 1, `${nps.length}`);
	const np = nps[0];
	if (!np) return;
	expect(`${label}: the NetworkPolicy selects every tierdump pod`, () => {
		const sel = np.spec.podSelector?.matchLabels ?? {};
		if (Object.keys(sel).length === 0) return ['it selects every pod of the namespace'];
		return workloads(objs).filter((o) => !Object.entries(sel).every(([k, v]) => podLabels(o)[k] === v)).map((o) => o.metadata.name);
	});
	assert(`${label}: the NetworkPolicy allows no ingress`,
		(np.spec.policyTypes ?? []).includes('Ingress') && (np.spec.ingress ?? []).length === 0, JSON.stringify(np.spec.ingress));
	const egress = np.spec.egress ?? [];
	const allowed = egress.flatMap((r) => (r.ports ?? [{}]).map((p) => `${p.protocol ?? 'TCP'}/${p.port ?? 'any'}`)).sort();
	assert(`${label}: the NetworkPolicy allows egress only to ${ports.join(', ')}`,
		(np.spec.policyTypes ?? []).includes('Egress') && JSON.stringify(allowed) === JSON.stringify([...ports].sort()), allowed.join(', '));
	expect(`${label}: DNS only to kube-system`, () => egress.filter((r) => (r.ports ?? []).some((p) => p.port === 53))
		.filter((r) => !(r.to ?? []).length || !(r.to).every((t) => t.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system'))
		.map((r) => JSON.stringify(r.to)));
	expect(`${label}: the database port only to the database's pods`, () => egress.filter((r) => (r.ports ?? []).some((p) => p.port === 5432))
		.filter((r) => !(r.to ?? []).length || r.to.some((t) => !t.podSelector && !t.ipBlock)).map((r) => JSON.stringify(r.to)));
}

const base = load(baseFile);
const s3 = load(s3File);
const example = load(join(root, 'k8s', 'tierdump-secrets.example.yaml'))[0];
const etcConf = readFileSync(join(root, 'etc', 'tierdump.conf'), 'utf8');

for (const [label, objs] of [['base', base], ['s3', s3]]) {
	stackAssertions(label, objs);
	podAssertions(label, objs);
	secretAssertions(label, objs, example);
	networkAssertions(label, objs, ['TCP/5432', 'TCP/443', 'UDP/53', 'TCP/53']);
	expect(`${label}: the ConfigMap holds etc/tierdump.conf as it is`, () => {
		const cms = objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.name !== 'tierdump-age-recipients');
		return cms.length !== 1 ? [`${cms.length} ConfigMaps`] : cms[0].data?.['tierdump.conf'] !== etcConf && 'tierdump.conf differs from etc/tierdump.conf';
	});
	const recover = byName(objs, 'Job', 'tierdump-recover');
	assert(`${label}: a recover Job runs recover`, recover && (container(recover).command ?? [])[0] === 'recover', JSON.stringify(container(recover).command));
	assert(`${label}: the recover Job lists by default (FROM_BACKUP=none)`, recover && envValue(recover, 'FROM_BACKUP') === 'none', recover && envValue(recover, 'FROM_BACKUP'));
	assert(`${label}: the recover Job does not retry a restore (backoffLimit 0) and has a deadline`,
		recover && recover.spec.backoffLimit === 0 && recover.spec.activeDeadlineSeconds > 0);
	assert(`${label}: the recover Job does not force`, recover && !env(recover).RECOVER_FORCE);
	const kinds = objs.map((o) => o.kind).sort().join(',');
	const expected = ['ConfigMap', 'CronJob', 'CronJob', 'CronJob', 'CronJob', 'Job', 'NetworkPolicy', ...(label === 'base' ? ['PersistentVolumeClaim'] : ['ConfigMap'])].sort().join(',');
	assert(`${label}: renders ${expected.replace(/,/g, ', ')} and nothing else`, kinds === expected, kinds);
}

// The local store (k8s/).
const pvc = base.find((o) => o.kind === 'PersistentVolumeClaim');
assert('base: PVC tierdump-backups is ReadWriteMany', pvc?.metadata?.name === 'tierdump-backups' && pvc.spec.accessModes?.includes('ReadWriteMany'),
	JSON.stringify(pvc?.spec?.accessModes));
expect('base: every pod mounts tierdump-backups at /backup (BACKUP_DIR\'s default) and leaves BACKUP_DIR alone', () =>
	workloads(base).flatMap((o) => {
		const m = mountAt(o, '/backup');
		return [!m && `${o.metadata.name}: nothing at /backup`,
			m && volume(o, m.name)?.persistentVolumeClaim?.claimName !== 'tierdump-backups' && `${o.metadata.name}: /backup is not the PVC`,
			(envValue(o, 'BACKUP_DIR') ?? '/backup') !== '/backup' && `${o.metadata.name}: BACKUP_DIR=${envValue(o, 'BACKUP_DIR')}`];
	}));
expect('base: only the recover Job mounts the store read-only', () =>
	workloads(base).filter((o) => Boolean(mountAt(o, '/backup')?.readOnly) !== (o.kind === 'Job')).map((o) => o.metadata.name));

// The S3 store (k8s/overlays/s3).
expect('s3: no PersistentVolumeClaim, no volume of one, nothing at /backup', () => [
	...s3.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => `PVC ${o.metadata.name}`),
	...workloads(s3).filter((o) => (podSpec(o).volumes ?? []).some((v) => v.persistentVolumeClaim)).map((o) => `${o.metadata.name} has a PVC volume`),
	...workloads(s3).filter((o) => mountAt(o, '/backup')).map((o) => `${o.metadata.name} mounts /backup`)]);
expect('s3: every pod sets one BACKUP_STORE starting with s3://', () => {
	const stores = workloads(s3).map((o) => envValue(o, 'BACKUP_STORE'));
	return [...stores.filter((v) => !/^s3:\/\/[^/]+/.test(v ?? '')).map((v) => `BACKUP_STORE=${v}`),
		new Set(stores).size !== 1 && `different stores: ${[...new Set(stores)].join(', ')}`];
});
expect('s3: every pod takes AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the Secret', () =>
	workloads(s3).flatMap((o) => ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']
		.filter((n) => env(o)[n]?.valueFrom?.secretKeyRef?.key !== n).map((n) => `${o.metadata.name}: ${n}`)));
// Encryption at rest in the S3 overlay: the hourly CronJob encrypts to the
// recipients file of a ConfigMap, the promotions need no key, the recover
// Job reads its identity from a file of an optional Secret.
expect('s3: the hourly CronJob encrypts with age to the recipients file of the ConfigMap', () => {
	const h = byName(s3, 'CronJob', 'tierdump-hourly');
	const file = envValue(h, 'BACKUP_RECIPIENTS_FILE') ?? '';
	const m = (container(h).volumeMounts ?? []).find((v) => file.startsWith(`${v.mountPath}/`));
	const cm = m && volume(h, m.name)?.configMap?.name;
	const data = byName(s3, 'ConfigMap', cm ?? '')?.data ?? {};
	return [envValue(h, 'BACKUP_ENCRYPTION') !== 'age' && `BACKUP_ENCRYPTION=${envValue(h, 'BACKUP_ENCRYPTION')}`,
		!m && `nothing mounted at ${file}`, m && !(file.slice(m.mountPath.length + 1) in data) && `ConfigMap ${cm} has no ${file}`];
});
expect('s3: promotions and the recover Job hold no recipients, the hourly CronJob no identity', () =>
	workloads(s3).flatMap((o) => ['BACKUP_ENCRYPTION', 'BACKUP_RECIPIENTS', 'BACKUP_RECIPIENTS_FILE', 'RECOVER_IDENTITY_FILE', 'BACKUP_PASSPHRASE', 'BACKUP_PASSPHRASE_FILE']
		.filter((n) => env(o)[n] && !(AGE_ENV[o.metadata.name] ?? []).includes(n)).map((n) => `${o.metadata.name} sets ${n}`)));
expect('s3: the recover Job reads RECOVER_IDENTITY_FILE from a file of the optional Secret, never from the environment', () => {
	const r = byName(s3, 'Job', 'tierdump-recover');
	const file = envValue(r, 'RECOVER_IDENTITY_FILE') ?? '';
	const m = (container(r).volumeMounts ?? []).find((v) => file.startsWith(`${v.mountPath}/`));
	const sec = m && volume(r, m.name)?.secret;
	return [!m && `nothing mounted at ${file}`, sec?.secretName !== AGE_IDENTITY_SECRET && `not the Secret ${AGE_IDENTITY_SECRET}`,
		sec && !sec.optional && 'the Secret is not optional (listing needs no key)', m && !m.readOnly && 'mounted writable'];
});
expect('s3: the pods keep everything else of the base (only the store changed)', () =>
	workloads(base).flatMap((b) => {
		const o = byName(s3, b.kind, b.metadata.name);
		if (!o) return [`${b.metadata.name} is missing`];
		const strip = (x) => {
			const y = structuredClone(x);
			const p = podSpec(y);
			p.volumes = (p.volumes ?? []).filter((v) => !v.persistentVolumeClaim && !AGE_VOLUMES.has(v.name));
			const c = p.containers[0];
			c.volumeMounts = (c.volumeMounts ?? []).filter((m) => m.mountPath !== '/backup' && !AGE_VOLUMES.has(m.name));
			c.env = (c.env ?? []).filter((e) => !STORE_ENV.has(e.name) && !(AGE_ENV[x.metadata.name] ?? []).includes(e.name));
			return JSON.stringify(y);
		};
		return strip(b) !== strip(o) && `${b.metadata.name} differs`;
	}));

// The Secret example holds placeholders, never real secrets.
expect('the Secret example holds only placeholders', () => {
	const values = { ...(example?.stringData ?? {}), ...Object.fromEntries(Object.entries(example?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])) };
	return [Object.keys(values).length === 0 && 'no keys',
		...Object.entries(values).filter(([, v]) => !/CHANGE-?ME/i.test(v)).map(([k]) => `${k} is not a placeholder`),
		...['PGADMINPASS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].filter((k) => !(k in values)).map((k) => `no ${k}`)];
});

// The test-restore overlay (k8s/overlays/verify): the base unchanged, plus
// tierdump-verify running `backup --verify latest` in its own image variant.
if (verifyFile) {
	const verify = load(verifyFile);
	const label = 'verify';
	podAssertions(label, verify);
	secretAssertions(label, verify, example);
	networkAssertions(label, verify, ['TCP/5432', 'TCP/443', 'UDP/53', 'TCP/53']);
	const names = cronJobs(verify).map((o) => o.metadata?.name).sort();
	const want = [...TIERS.map((t) => `tierdump-${t}`), 'tierdump-verify'].sort();
	assert('verify: five CronJobs, the four stacked ones and tierdump-verify', JSON.stringify(names) === JSON.stringify(want), names.join(', '));
	expect('verify: every object of the base is there unchanged (the PVC stays k8s/\'s)', () => [
		...base.filter((b) => b.kind !== 'PersistentVolumeClaim').map((b) => {
			const o = byName(verify, b.kind, b.metadata.name);
			return !o ? `${b.kind} ${b.metadata.name} is missing` : JSON.stringify(o) !== JSON.stringify(b) && `${b.kind} ${b.metadata.name} differs`;
		}),
		...verify.filter((o) => !(o.kind === 'CronJob' && o.metadata.name === 'tierdump-verify') && !byName(base, o.kind, o.metadata.name))
			.map((o) => `adds ${o.kind} ${o.metadata.name}`)]);
	const cj = byName(verify, 'CronJob', 'tierdump-verify');
	if (cj) {
		const c = container(cj);
		const pod = podSpec(cj);
		assert('verify: it runs the entrypoint backup with --verify latest',
			!c.command && JSON.stringify(c.args) === '["--verify","latest"]', JSON.stringify({ command: c.command, args: c.args }));
		const tag = (image) => image?.split(':')[1];
		const baseImage = container(byName(base, 'CronJob', 'tierdump-hourly')).image;
		assert('verify: the image variant with the database servers (tierdump-verify), the others\' tag',
			/(^|\/)tierdump-verify:/.test(c.image ?? '') && tag(c.image) === tag(baseImage), `${c.image} beside ${baseImage}`);
		const user = envValue(cj, 'VERIFY_USER');
		assert('verify: VERIFY_USER names a non-root user, and the pod runs as non-root 10001',
			user && user !== 'root' && user !== '0' && (c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser) === IMAGE_USER, `VERIFY_USER=${user}`);
		expect('verify: VERIFY_DIR is a writable emptyDir on disk (not memory), with a size limit', () => {
			const dir = envValue(cj, 'VERIFY_DIR');
			const m = dir && mountAt(cj, dir);
			const v = m && volume(cj, m.name);
			return [!dir && 'no VERIFY_DIR', dir && !m && `nothing mounted at ${dir}`, m?.readOnly && 'read-only',
				m && !v?.emptyDir && `${dir} is ${JSON.stringify(v)}`, v?.emptyDir?.medium === 'Memory' && 'in memory',
				v?.emptyDir && !v.emptyDir.sizeLimit && 'no sizeLimit'];
		});
		expect('verify: no database credentials (no PG*, MYSQL*, MONGODB* or DATABASE* variable, no Secret, no config file)', () => [
			...Object.keys(env(cj)).filter((n) => /^PG|^MYSQL|^MONGODB|^DATABASE/.test(n)).map((n) => `sets ${n}`),
			...(pod.volumes ?? []).filter((v) => v.secret || v.configMap).map((v) => `mounts ${v.name}`)]);
		expect('verify: the store (the PVC tierdump-backups) at /backup, writable for the verified record', () => {
			const m = mountAt(cj, '/backup');
			return [!m && 'nothing at /backup', m?.readOnly && 'read-only',
				m && volume(cj, m.name)?.persistentVolumeClaim?.claimName !== 'tierdump-backups' && 'not the PVC'];
		});
		expect('verify: concurrencyPolicy Forbid, no retry (backoffLimit 0), deadlines, history', () => [
			cj.spec.concurrencyPolicy !== 'Forbid' && `concurrencyPolicy ${cj.spec.concurrencyPolicy}`,
			jobSpec(cj).backoffLimit !== 0 && `backoffLimit ${jobSpec(cj).backoffLimit}`,
			!(jobSpec(cj).activeDeadlineSeconds > 0) && 'no activeDeadlineSeconds',
			!(cj.spec.startingDeadlineSeconds > 0) && 'no startingDeadlineSeconds',
			!(cj.spec.failedJobsHistoryLimit >= 1) && 'no failed Jobs kept']);
		const hourly = byName(verify, 'CronJob', 'tierdump-hourly');
		const hour = Math.floor(runMinute(cj.spec.schedule, 0) / 60);
		const hourlyEnd = runMinute(hourly.spec.schedule, hour) * 60 + hourly.spec.startingDeadlineSeconds + jobSpec(hourly).activeDeadlineSeconds;
		assert('verify: it starts after the hourly run of its hour has finished',
			runMinute(cj.spec.schedule, hour) * 60 >= hourlyEnd, `${cj.spec.schedule}; hourly may run until minute ${hourlyEnd / 60}`);
		assert('verify: a memory limit of at least 1Gi (the throwaway servers run in the pod)',
			bytes(c.resources?.limits?.memory) >= 2 ** 30, c.resources?.limits?.memory);
	}
}

// The point-in-time recovery overlay (k8s/overlays/pitr): the hourly tier
// takes base backups, and tierdump-check runs `backup --check` every 5 minutes.
if (pitrFile) {
	const pitr = load(pitrFile);
	const label = 'pitr';
	podAssertions(label, pitr);
	secretAssertions(label, pitr, example);
	networkAssertions(label, pitr, ['TCP/5432', 'TCP/443', 'UDP/53', 'TCP/53']);
	const names = cronJobs(pitr).map((o) => o.metadata?.name).sort();
	const want = [...TIERS.map((t) => `tierdump-${t}`), 'tierdump-check'].sort();
	assert('pitr: five CronJobs, the four stacked ones and tierdump-check', JSON.stringify(names) === JSON.stringify(want), names.join(', '));
	const hourly = byName(pitr, 'CronJob', 'tierdump-hourly');
	assert('pitr: the hourly tier takes physical base backups (BACKUP_METHOD=physical)',
		hourly && envValue(hourly, 'BACKUP_METHOD') === 'physical', JSON.stringify(hourly && env(hourly).BACKUP_METHOD));
	expect('pitr: everything else of the base is there unchanged', () => [
		...base.filter((b) => b.kind !== 'PersistentVolumeClaim' && !(b.kind === 'CronJob' && b.metadata.name === 'tierdump-hourly')).map((b) => {
			const o = byName(pitr, b.kind, b.metadata.name);
			return !o ? `${b.kind} ${b.metadata.name} is missing` : JSON.stringify(o) !== JSON.stringify(b) && `${b.kind} ${b.metadata.name} differs`;
		}),
		...pitr.filter((o) => !(o.kind === 'CronJob' && o.metadata.name === 'tierdump-check') && !byName(base, o.kind, o.metadata.name))
			.map((o) => `adds ${o.kind} ${o.metadata.name}`)]);
	const cj = byName(pitr, 'CronJob', 'tierdump-check');
	if (cj) {
		const c = container(cj);
		assert('pitr: tierdump-check runs the entrypoint backup with --check, every 5 minutes',
			!c.command && JSON.stringify(c.args) === '["--check"]' && cj.spec.schedule === '*/5 * * * *',
			JSON.stringify({ command: c.command, args: c.args, schedule: cj.spec.schedule }));
		expect('pitr: tierdump-check has no database credentials (no PG*, MYSQL*, MONGODB* or DATABASE* variable, no Secret)', () => [
			...Object.keys(env(cj)).filter((n) => /^PG|^MYSQL|^MONGODB|^DATABASE/.test(n)).map((n) => `sets ${n}`),
			...(podSpec(cj).volumes ?? []).filter((v) => v.secret).map((v) => `mounts ${v.name}`)]);
		expect('pitr: tierdump-check reads the store (the PVC tierdump-backups) at /backup, read-only', () => {
			const m = mountAt(cj, '/backup');
			return [!m && 'nothing at /backup', m && !m.readOnly && 'writable',
				m && volume(cj, m.name)?.persistentVolumeClaim?.claimName !== 'tierdump-backups' && 'not the PVC'];
		});
		expect('pitr: tierdump-check: Forbid, no retry, a deadline below its interval', () => [
			cj.spec.concurrencyPolicy !== 'Forbid' && `concurrencyPolicy ${cj.spec.concurrencyPolicy}`,
			jobSpec(cj).backoffLimit !== 0 && `backoffLimit ${jobSpec(cj).backoffLimit}`,
			!(jobSpec(cj).activeDeadlineSeconds > 0 && jobSpec(cj).activeDeadlineSeconds < 300) && `activeDeadlineSeconds ${jobSpec(cj).activeDeadlineSeconds}`]);
	}
}
