# The Kubernetes manifests, offline: `kubectl kustomize` renders k8s/,
# k8s/overlays/s3, k8s/overlays/verify and k8s/overlays/pitr; every object validates against the
# Kubernetes schemas (npm kubernetes-models, in test/k8s/) and strictly, with
# no unknown or misspelled field; the stack agrees with tiers/*.conf.
# Needs kubectl (Debian: kubernetes-client) and node >= 18 with npm (Debian:
# nodejs, npm); test/k8s/node_modules is installed from the lockfile when it
# is missing or stale.
source "$(dirname "$0")/../lib.sh"

K8S=$ROOT/k8s
JS=$ROOT/test/k8s
KUBECTL=${KUBECTL:-kubectl}

# Missing tools fail the test, saying what to install; they never skip it.
missing=
command -v "$KUBECTL" >/dev/null || missing="kubectl (Debian package kubernetes-client)"
if ! command -v node >/dev/null; then
	missing="$missing${missing:+, }node (Debian package nodejs)"
elif [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 18 ]; then
	missing="$missing${missing:+, }node >= 18, not $(node --version) (Debian package nodejs from bookworm)"
fi
if [ -n "$missing" ]; then
	fail "the tools to check the manifests are installed" "missing: $missing"
	exit 1
fi

# node_modules from the committed lockfile, when it is missing or stale.
stamp=$JS/node_modules/.tierdump-lock.sha256
want=$(sha256sum "$JS/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	if ! command -v npm >/dev/null; then
		fail "the tools to check the manifests are installed" "missing: npm (Debian package npm), to install test/k8s/node_modules"
		exit 1
	fi
	echo "installing test/k8s/node_modules (npm ci)"
	if (cd "$JS" && npm ci --ignore-scripts --no-audit --no-fund) >"$TMP/npm.log" 2>&1; then
		echo "$want" >"$stamp"
		pass "npm ci installs test/k8s/node_modules from the lockfile"
	else
		fail "npm ci installs test/k8s/node_modules from the lockfile" "$(grep -v 'Unknown user config' "$TMP/npm.log" | tail -5)"
		exit 1
	fi
fi

# render DIR OUT: kubectl kustomize DIR into OUT; its warnings (newer kubectl
# calls `bases:` deprecated) are shown only when it fails.
render() {
	"$KUBECTL" kustomize "$1" >"$2" 2>"$2.err" || { cat "$2.err"; return 1; }
}
check "kubectl kustomize renders k8s/" render "$K8S" "$TMP/base.yaml"
check "kubectl kustomize renders k8s/overlays/s3" render "$K8S/overlays/s3" "$TMP/s3.yaml"
check "kubectl kustomize renders k8s/overlays/verify" render "$K8S/overlays/verify" "$TMP/verify.yaml"
check "kubectl kustomize renders k8s/overlays/pitr" render "$K8S/overlays/pitr" "$TMP/pitr.yaml"
check "k8s/base/tierdump.conf is a copy of etc/tierdump.conf" cmp "$ROOT/etc/tierdump.conf" "$K8S/base/tierdump.conf"

check "every object of k8s/ validates against the Kubernetes schemas, strictly" node "$JS/validate.mjs" "$TMP/base.yaml"
check "every object of k8s/overlays/s3 validates, strictly" node "$JS/validate.mjs" "$TMP/s3.yaml"
check "every object of k8s/overlays/verify validates, strictly" node "$JS/validate.mjs" "$TMP/verify.yaml"
check "every object of k8s/overlays/pitr validates, strictly" node "$JS/validate.mjs" "$TMP/pitr.yaml"

# The strict check itself: broken copies of the rendered base must fail, and
# name the misspelled field. (kubernetes-models alone accepts all but the
# last: its schemas allow unknown fields.)
# strict_rejects NAME SED-SCRIPT EXPECTED-LINE...
strict_rejects() {
	local name=$1 script=$2 line out
	shift 2
	sed -e "$script" "$TMP/base.yaml" >"$TMP/broken.yaml"
	if cmp -s "$TMP/base.yaml" "$TMP/broken.yaml"; then
		fail "the strict check rejects $name" "the sed script changed nothing"
		return
	fi
	if out=$(node "$JS/validate.mjs" "$TMP/broken.yaml" 2>&1); then
		fail "the strict check rejects $name" "it passed: $(echo "$out" | tail -1)"
		return
	fi
	for line in "$@"; do
		if ! grep -qF -- "$line" <<<"$out"; then
			fail "the strict check rejects $name" "no '$line' in: $(echo "$out" | grep -v ': OK ' | head -4)"
			return
		fi
	done
	pass "the strict check rejects $name"
}
strict_rejects "conccurencyPolicy" 's/concurrencyPolicy:/conccurencyPolicy:/' \
	"unknown field: /spec/conccurencyPolicy (did you mean concurrencyPolicy?)"
strict_rejects "securityContxt (pod and container)" 's/securityContext:/securityContxt:/' \
	"unknown field: /spec/jobTemplate/spec/template/spec/securityContxt (did you mean securityContext?)" \
	"unknown field: /spec/jobTemplate/spec/template/spec/containers/0/securityContxt (did you mean securityContext?)" \
	"unknown field: /spec/template/spec/containers/0/securityContxt (did you mean securityContext?)"
strict_rejects "readOnlyRootFileSystem, deep in a list" 's/readOnlyRootFilesystem:/readOnlyRootFileSystem:/' \
	"unknown field: /spec/jobTemplate/spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem (did you mean readOnlyRootFilesystem?)"
strict_rejects "a field in the wrong place (activeDeadlineSeconds in the CronJob's spec)" \
	's/^\(  \)startingDeadlineSeconds: 300/\1activeDeadlineSeconds: 300/' \
	"unknown field: /spec/activeDeadlineSeconds"
strict_rejects "policyType in the NetworkPolicy" 's/policyTypes:/policyType:/' \
	"unknown field: /spec/policyType (did you mean policyTypes?)"
strict_rejects "a wrong enum (schema)" 's/concurrencyPolicy: Forbid/concurrencyPolicy: Never/' \
	"schema: /spec/concurrencyPolicy enum"

# verdicts FILE: a node script's "pass NAME" and "fail NAME<TAB>DETAIL" lines, reported.
verdicts() {
	local verdict detail
	while IFS=$'\t' read -r verdict detail; do
		case $verdict in
		"pass "*) pass "${verdict#pass }" ;;
		"fail "*) fail "${verdict#fail }" "$detail" ;;
		esac
	done <"$1"
}

# The stack and everything else the manifests promise (test/k8s/assert-stack.mjs).
if node "$JS/assert-stack.mjs" "$ROOT" "$TMP/base.yaml" "$TMP/s3.yaml" "$TMP/verify.yaml" "$TMP/pitr.yaml" >"$TMP/assert.out" 2>"$TMP/assert.err"; then
	verdicts "$TMP/assert.out"
	[ "$(grep -c '^pass \|^fail ' "$TMP/assert.out")" -ge 100 ] ||
		fail "assert-stack.mjs made all its assertions" "only $(grep -c '^pass \|^fail ' "$TMP/assert.out")"
else
	fail "assert-stack.mjs runs" "$(tail -5 "$TMP/assert.err")"
fi

# k8s/monitoring: the PrometheusRule passes `promtool check rules` and its
# alerts fire as test/k8s/monitoring.test.yaml expects (`promtool test
# rules`); the dashboard's ConfigMap validates; every metric the rules and
# the dashboard name is one tierdump writes (src/report.c).
if ! command -v promtool >/dev/null; then
	fail "promtool is installed" "missing: promtool (Debian package prometheus)"
else
	mkdir -p "$TMP/monitoring"
	check "kubectl kustomize renders k8s/monitoring" render "$K8S/monitoring" "$TMP/monitoring.yaml"
	check "the PrometheusRule and the dashboard are found" node "$JS/monitoring.mjs" "$TMP/monitoring.yaml" "$TMP/monitoring"
	check "promtool check rules accepts the rule group" promtool check rules "$TMP/monitoring/rules.yaml"
	cp "$JS/monitoring.test.yaml" "$TMP/monitoring/"
	check "the alerts fire as expected (promtool test rules)" promtool test rules "$TMP/monitoring/monitoring.test.yaml"
	check "the dashboard's ConfigMap validates, strictly" node "$JS/validate.mjs" "$TMP/monitoring/core.yaml"
	# unknown_metrics EXPRS: prints each tierdump_* name no line of src/report.c writes.
	unknown_metrics() {
		local name
		for name in $(grep -oE '\btierdump_[a-z_]+' "$1" | sort -u); do
			grep -qE "\"$name\{" "$ROOT/src/report.c" || echo "$name"
		done
	}
	check "the rules and the dashboard use metrics" grep -q tierdump_last_status "$TMP/monitoring/exprs.txt"
	check "every metric they name is one tierdump writes" test -z "$(unknown_metrics "$TMP/monitoring/exprs.txt")"
	echo 'tierdump_backups_total' >"$TMP/monitoring/bogus.txt"
	check "a metric tierdump does not write is caught" test "$(unknown_metrics "$TMP/monitoring/bogus.txt")" = tierdump_backups_total
fi

# k8s/components/pitr-postgres on a stand-in PostgreSQL StatefulSet
# (test/k8s/pitr-postgres): it renders, validates, patches only the labelled
# StatefulSet, and its init container's script, run here on build/backup,
# makes a /tierdump/backup that runs from the copied libraries and loader.
check "kubectl kustomize renders a StatefulSet with k8s/components/pitr-postgres" \
	render "$ROOT/test/k8s/pitr-postgres" "$TMP/pitr-postgres.yaml"
check "it validates, strictly" node "$JS/validate.mjs" "$TMP/pitr-postgres.yaml"
mkdir -p "$TMP/pitr-postgres"
if node "$JS/pitr-postgres.mjs" "$TMP/pitr-postgres.yaml" "$TMP/pitr-postgres" >"$TMP/pp.out" 2>"$TMP/pp.err"; then
	verdicts "$TMP/pp.out"
else
	fail "pitr-postgres.mjs runs" "$(tail -5 "$TMP/pp.err")"
fi
check "the init container's script copies backup with its libraries" \
	env FROM="$BUILD/backup" TO="$TMP/tierdump" sh -ec "$(cat "$TMP/pitr-postgres/init.sh")"
check "the init container's paths are the image's" grep -qx "FROM=/usr/bin/backup" "$TMP/pitr-postgres/init.env"
check "the wrapper runs backup through the copied loader" sh -c "'$TMP/tierdump/backup' --version | grep -q '$("$BUILD/backup" --version | head -1)'"
check "the loader and libc came along" test -x "$TMP/tierdump/lib/ld.so" -a -n "$(ls "$TMP/tierdump/lib" | grep '^libc\.so')"
