#!/usr/bin/python3
"""A TEST STAND-IN for AWS's credential endpoints, not an implementation of
them: it answers as STS AssumeRoleWithWebIdentity (POST /), a container
credentials endpoint (GET /container) and the instance metadata service,
IMDSv2 (PUT /latest/api/token, GET /latest/meta-data/iam/security-credentials/...),
do. It hands out the S3 test server's keys (S3RVER) with a session token
"standin.N.EXPIRY_MS" that test/s3/server.cjs refuses once EXPIRY_MS (in
milliseconds since the epoch) has passed.
Every request is logged, one line each, to DIR/requests.log.

Usage: cred_standin.py DIR PORT LIFETIME WEB_TOKEN CONTAINER_TOKEN
  LIFETIME: seconds the credentials it hands out live (0.8 will do)
  WEB_TOKEN: the web identity token STS accepts
  CONTAINER_TOKEN: the Authorization value the container endpoint accepts"""
import datetime
import http.server
import os
import sys
import time
import urllib.parse

directory, port, lifetime = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
web_token, container_token = sys.argv[4], sys.argv[5]
os.makedirs(directory, exist_ok=True)
issued = 0


def log(line):
    with open(os.path.join(directory, "requests.log"), "a") as out:
        out.write(line + "\n")


def credentials():
    global issued
    issued += 1
    expiry = time.time() + lifetime
    # The answer's Expiration, to the second, is never later than the token's, to the millisecond.
    stamp = datetime.datetime.fromtimestamp(int(expiry), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "S3RVER", "S3RVER", "standin.%d.%d" % (issued, int(expiry * 1000)), stamp


class Standin(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body, kind="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def json_credentials(self):
        key, secret, token, stamp = credentials()
        return ('{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "%s", "SecretAccessKey": "%s", '
                '"Token": "%s", "Expiration": "%s"}' % (key, secret, token, stamp))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        action = form.get("Action", [""])[0]
        token = form.get("WebIdentityToken", [""])[0]
        log("STS %s role=%s session=%s token=%s" % (action, form.get("RoleArn", [""])[0],
                                                   form.get("RoleSessionName", [""])[0], token))
        if action != "AssumeRoleWithWebIdentity" or token != web_token:
            return self.answer(400, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
                               "<Message>Couldn't retrieve verification key from your identity provider</Message>"
                               "</Error></ErrorResponse>", "text/xml")
        key, secret, session, stamp = credentials()
        self.answer(200, "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>%s</AccessKeyId>"
                    "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>"
                    "<Expiration>%s</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
                    "</AssumeRoleWithWebIdentityResponse>" % (key, secret, session, stamp), "text/xml")

    def do_PUT(self):
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        log("IMDS-TOKEN ttl=%s" % ttl)
        if self.path != "/latest/api/token" or ttl is None:
            return self.answer(400, "")
        self.answer(200, "imds-session-token")

    def do_GET(self):
        if self.path == "/container":
            auth = self.headers.get("Authorization")
            log("CONTAINER authorization=%s" % auth)
            if auth != container_token:
                return self.answer(401, '{"message": "unauthorized"}', "application/json")
            return self.answer(200, self.json_credentials(), "application/json")
        prefix = "/latest/meta-data/iam/security-credentials/"
        session = self.headers.get("X-aws-ec2-metadata-token")
        log("IMDS-GET %s session=%s" % (self.path, session))
        if session != "imds-session-token":
            return self.answer(401, "")
        if self.path == prefix:
            return self.answer(200, "tierdump-role\n")
        if self.path == prefix + "tierdump-role":
            return self.answer(200, self.json_credentials(), "application/json")
        self.answer(404, "")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Standin)
print("READY", flush=True)
server.serve_forever()
