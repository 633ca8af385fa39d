# S3 as cloud users run it: keys without static ones, in the AWS SDKs' order
# (static keys, web identity, container credentials, instance metadata),
# their session token sent and signed, keys refreshed before they expire
# during a multipart upload, clear errors naming the provider; storage class
# and server-side encryption on every object created, copies included.
# The STS, container and instance metadata endpoints are test/cred_standin.py,
# a test stand-in that hands out the S3 test server's keys with session
# tokens the S3 test server refuses once expired.
source "$(dirname "$0")/../lib.sh"

STANDIN=25573 standin_pid=
pg_start src 25571 pw || exit 1
s3_start s3 25572 || exit 1
use_pg 25571 pw
sql postgres "CREATE DATABASE app" >/dev/null
sql app "CREATE TABLE t (v text); INSERT INTO t VALUES ('cloud')" >/dev/null

standin_start() { # LIFETIME
	[ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null && wait "$standin_pid" 2>/dev/null
	/usr/bin/python3 "$ROOT/test/cred_standin.py" "$TMP/standin" $STANDIN "$1" web-jwt-ok pod-secret \
		>"$TMP/standin.out" 2>&1 &
	standin_pid=$!
	PIDS+=("$standin_pid")
	for _ in $(seq 50); do grep -q READY "$TMP/standin.out" && return 0; sleep 0.1; done
	return 1
}
standin_start 3600 || exit 1
REQS=$TMP/standin/requests.log HEADERS=$TMP/s3/headers.log
touch "$REQS"
echo web-jwt-ok >"$TMP/web-token"
echo pod-secret >"$TMP/pod-token"

unset BACKUP_DIR AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export BACKUP_STORE=s3://backups/cloud AWS_ENDPOINT_URL=http://127.0.0.1:25572 STORE_RETRIES=1 \
	AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$STANDIN
WEB=(AWS_ROLE_ARN=arn:aws:iam::123456789012:role/tierdump AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/web-token
	AWS_ENDPOINT_URL_STS=http://127.0.0.1:$STANDIN/ AWS_ROLE_SESSION_NAME=backup-test)
CONTAINER=(AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$STANDIN/container
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$TMP/pod-token)
STATIC=(AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER)
new_requests() { tail -n +"$(($1 + 1))" "$REQS"; }
mark() { wc -l <"$REQS"; }

# --- the order: each provider is used only when the earlier ones are absent
at=$(mark)
check "static keys come first" env "${STATIC[@]}" "${WEB[@]}" "${CONTAINER[@]}" "$BACKUP"
check "no endpoint was asked" test -z "$(new_requests "$at")"
check "static keys send no session token" sh -c "tail -1 '$HEADERS' | grep -q 'token=- '"

at=$(mark)
check "web identity when there are no static keys" env "${WEB[@]}" "${CONTAINER[@]}" "$BACKUP"
check "STS was asked with the role, the session name and the token" \
	sh -c "echo '$(new_requests "$at")' | grep -q '^STS AssumeRoleWithWebIdentity role=arn:aws:iam::123456789012:role/tierdump session=backup-test token=web-jwt-ok$'"
check "and nothing else" sh -c "! echo '$(new_requests "$at")' | grep -qv '^STS'"
check "the session token went to S3, signed" sh -c "tail -1 '$HEADERS' | grep -qE 'token=standin\.[0-9]+\.[0-9]+ .*signed=token'"

at=$(mark)
check "container credentials without web identity" env "${CONTAINER[@]}" "$RECOVER"
check "the listing shows the backups" grep -qE '^hourly ' "$TMP/check.out"
check "the endpoint got the token file's authorization" \
	sh -c "echo '$(new_requests "$at")' | grep -qx 'CONTAINER authorization=pod-secret'"
at=$(mark)
check "the token may be given directly" env AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$STANDIN/container \
	AWS_CONTAINER_AUTHORIZATION_TOKEN=pod-secret "$RECOVER"
check "it was sent" sh -c "echo '$(new_requests "$at")' | grep -qx 'CONTAINER authorization=pod-secret'"

at=$(mark)
check "instance metadata last" "$RECOVER"
check "IMDSv2: a session token first, then the role, then its keys" sh -c "test \"\$(echo '$(new_requests "$at")' | cut -d' ' -f1-2)\" = \
'IMDS-TOKEN ttl=21600
IMDS-GET /latest/meta-data/iam/security-credentials/
IMDS-GET /latest/meta-data/iam/security-credentials/tierdump-role'"

# --- errors name the provider, the endpoint and the fix; no secret is echoed
expect_exit "instance metadata disabled and nothing else" 78 "no credentials.*AWS_EC2_METADATA_DISABLED" \
	env AWS_EC2_METADATA_DISABLED=true "$RECOVER"
expect_exit "half the static keys" 78 "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" \
	env AWS_ACCESS_KEY_ID=S3RVER "${WEB[@]}" "$RECOVER"
expect_exit "a role without its token file" 78 "web identity needs both AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE" \
	env AWS_ROLE_ARN=arn:aws:iam::123456789012:role/tierdump "$RECOVER"
expect_exit "a missing web identity token file" 78 "web identity.*cannot read the token file $TMP/nowhere" \
	env "${WEB[@]}" AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/nowhere" "$RECOVER"
echo stale-jwt >"$TMP/bad-token"
expect_exit "a token STS refuses" 77 "web identity.*HTTP 400 InvalidIdentityToken.*check AWS_ROLE_ARN" \
	env "${WEB[@]}" AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/bad-token" "$RECOVER"
check "the token is not echoed" sh -c "! grep -q stale-jwt '$TMP/last.err'"
expect_exit "an unreachable STS" 77 "web identity.*http://127.0.0.1:25579/ failed" \
	env "${WEB[@]}" AWS_ENDPOINT_URL_STS=http://127.0.0.1:25579/ "$RECOVER"
echo wrong-secret >"$TMP/bad-pod-token"
expect_exit "an authorization the container endpoint refuses" 77 "container credentials.*HTTP 401.*AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" \
	env "${CONTAINER[@]}" AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$TMP/bad-pod-token" "$RECOVER"
check "the authorization is not echoed" sh -c "! grep -q wrong-secret '$TMP/last.err'"
expect_exit "plain http to a remote container endpoint" 78 "must be https" \
	env AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds "$RECOVER"
expect_exit "an unreachable instance metadata service" 77 "instance metadata.*127.0.0.1:25579/latest/api/token" \
	env AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:25579 "$RECOVER"

# --- keys that expire during a multipart upload are fetched again in time
standin_start 0.8 || exit 1
sql app "CREATE TABLE big AS SELECT g, md5(g::text) AS m FROM generate_series(1, 1500000) g" >/dev/null
at=$(mark)
hat=$(wc -l <"$HEADERS")
# About 60 MB at 30 MB/s: the upload lasts well past the keys' 0.8 seconds on any machine, however fast.
check "a multipart upload with keys living 0.8 seconds" env "${WEB[@]}" BACKUP_COMPRESSION=none BACKUP_MAX_RATE=30M "$BACKUP"
tail -n +"$((hat + 1))" "$HEADERS" | grep -E '^PUT .*partNumber=' >"$TMP/parts.log"
parts=$(grep -oE 'token=[^ ]+' "$TMP/parts.log" | sort -u | wc -l)
first=$(tail -n +"$((hat + 1))" "$HEADERS" | head -1 | grep -oE 'at=[0-9]+' | cut -d= -f2)
last=$(tail -1 "$TMP/parts.log" | grep -oE 'at=[0-9]+' | cut -d= -f2)
check "the run outlived its first keys (its last part $((last - first)) ms after its first request)" test "$((last - first))" -gt 800
check "its parts went with more than one session token ($parts)" test "$parts" -ge 2
check "STS was asked again during the run" test "$(new_requests "$at" | grep -c '^STS')" -ge 2
check "the S3 server refuses expired tokens (so the refresh mattered)" \
	sh -c "curl -s -o /dev/null -w '%{http_code}' -H 'x-amz-security-token: standin.1.1' http://127.0.0.1:25572/backups | grep -qx 400"
standin_start 3600 || exit 1

# --- storage class and server-side encryption
hat=$(wc -l <"$HEADERS")
check "a backup with a storage class and KMS encryption" env "${STATIC[@]}" S3_STORAGE_CLASS=STANDARD_IA \
	S3_SSE=aws:kms S3_SSE_KMS_KEY_ID=alias/tierdump BACKUP_COMPRESSION=none "$BACKUP"
new_headers() { tail -n +"$((hat + 1))" "$HEADERS"; }
check "every object PUT carries them" sh -c "test -n \"\$(echo '$(new_headers)' | grep -E '^PUT ' | grep -v partNumber=)\" && \
	! echo '$(new_headers)' | grep -E '^PUT ' | grep -v partNumber= | grep -v 'class=STANDARD_IA sse=aws:kms kms=alias/tierdump'"
check "so does the multipart start" sh -c "echo '$(new_headers)' | grep -E '^POST .*uploads' | grep -q 'class=STANDARD_IA sse=aws:kms kms=alias/tierdump'"
check "the parts do not (S3 refuses SSE headers on UploadPart)" sh -c "! echo '$(new_headers)' | grep -E 'partNumber=' | grep -q 'sse=aws:kms'"
hat=$(wc -l <"$HEADERS")
check "a promotion with AES256" env "${STATIC[@]}" S3_STORAGE_CLASS=STANDARD_IA S3_SSE=AES256 BACKUP_TYPE=daily "$BACKUP"
check "the copies keep them" sh -c "echo '$(new_headers)' | grep -E '^PUT .* copy=yes' | grep -q 'class=STANDARD_IA sse=AES256 kms=-'"
check "and only copies were made" sh -c "! echo '$(new_headers)' | grep -E '^PUT ' | grep -v 'copy=yes' | grep -v manifest | grep -q ."
expect_exit "an unknown storage class" 78 "S3_STORAGE_CLASS=COLD is not an S3 storage class" \
	env "${STATIC[@]}" S3_STORAGE_CLASS=COLD "$RECOVER"
expect_exit "an unknown encryption" 78 "S3_SSE=rot13 is not a server-side encryption" \
	env "${STATIC[@]}" S3_SSE=rot13 "$RECOVER"
expect_exit "a KMS key without aws:kms" 78 "S3_SSE_KMS_KEY_ID needs S3_SSE=aws:kms" \
	env "${STATIC[@]}" S3_SSE=AES256 S3_SSE_KMS_KEY_ID=alias/x "$RECOVER"

