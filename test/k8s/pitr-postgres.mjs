// node pitr-postgres.mjs RENDERED OUTDIR
//
// Checks what k8s/components/pitr-postgres did to the rendered
// test/k8s/pitr-postgres (test/integration/k8s.sh): prints one line per
// assertion, "pass NAME" or "fail NAME<TAB>DETAIL", and writes the init
// container's script to OUTDIR/init.sh and its env to OUTDIR/init.env, for
// the test to run it.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [rendered, out] = process.argv.slice(2);
const docs = parseAllDocuments(readFileSync(rendered, 'utf8')).map((d) => d.toJS());
const byName = Object.fromEntries(docs.map((d) => [d.metadata.name, d]));
const verdict = (name, ok, detail = '') => console.log(ok ? `pass ${name}` : `fail ${name}\t${detail}`);

const pod = byName.db?.spec.template.spec;
const init = pod?.initContainers?.find((c) => c.name === 'tierdump-binary');
const pg = pod?.containers.find((c) => c.name === 'postgres');
verdict('the labelled StatefulSet gets the init container tierdump-binary', !!init, JSON.stringify(pod?.initContainers));
verdict('which copies from the tierdump image', init?.image?.startsWith('tierdump:'), init?.image);
const mountOf = (c, name) => c?.volumeMounts?.find((m) => m.name === name)?.mountPath;
verdict('it and postgres share tierdump-bin at /tierdump', mountOf(init, 'tierdump-bin') === '/tierdump' && mountOf(pg, 'tierdump-bin') === '/tierdump');
verdict('tierdump-bin is an emptyDir', !!pod?.volumes?.find((v) => v.name === 'tierdump-bin')?.emptyDir);
verdict('postgres mounts the store the tiers use (tierdump-backups at /backup)',
	mountOf(pg, 'backups') === '/backup' &&
	pod.volumes.find((v) => v.name === 'backups')?.persistentVolumeClaim?.claimName === 'tierdump-backups');
const args = (pg?.args || []).join(' ');
verdict("archive_command is '/tierdump/backup wal-push %p'", args.includes('-c archive_command=/tierdump/backup wal-push %p'), args);
verdict('archive_mode is on', args.includes('-c archive_mode=on'), args);
const env = Object.fromEntries((pg?.env || []).map((e) => [e.name, e.value]));
verdict('the settings wal-push reads are set', env.BACKUP_DIR === '/backup' && env.TIERDUMP_CONFIG === '/dev/null', JSON.stringify(env));
verdict("the StatefulSet's own env and mounts stay", env.POSTGRES_PASSWORD_FILE && mountOf(pg, 'data'));
const other = byName.other?.spec.template.spec;
verdict('an unlabelled StatefulSet is left alone', other && !other.initContainers && !other.volumes && !other.containers[0].args, JSON.stringify(other));
if (init) {
	writeFileSync(`${out}/init.sh`, init.args[0]);
	writeFileSync(`${out}/init.env`, init.env.map((e) => `${e.name}=${e.value}`).join('\n') + '\n');
}
