#include <string.h>

#include "store/s3/credentials.h"

#include "test.h"

void test_store_s3_credentials(void)
{
	static const char doc[] =
	    "{\"Code\" : \"Success\", \"Type\": \"AWS-HMAC\",\n \"AccessKeyId\":\"ASIA1\", "
	    "\"SecretAccessKey\": \"a\\/b+c\", \"Token\": \"IQo\\\"x\", "
	    "\"Expiration\": \"2026-11-21T10:07:00Z\", \"Note\": \"AccessKeyId\"}";
	struct s3_key key;
	char out[64];
	time_t t;

	CHECK(cred_json_field(doc, "AccessKeyId", out, sizeof(out)) == 0 && !strcmp(out, "ASIA1"),
	      "%s", out);
	CHECK(cred_json_field(doc, "SecretAccessKey", out, sizeof(out)) == 0 &&
		  !strcmp(out, "a/b+c"),
	      "escaped slash: %s", out);
	CHECK(cred_json_field(doc, "Token", out, sizeof(out)) == 0 && !strcmp(out, "IQo\"x"),
	      "escaped quote: %s", out);
	CHECK(cred_json_field(doc, "Code", out, sizeof(out)) == 0 && !strcmp(out, "Success"),
	      "space before the colon: %s", out);
	CHECK(cred_json_field(doc, "Missing", out, sizeof(out)) < 0, "absent");
	CHECK(cred_json_field("{\"AccessKeyId\": 12}", "AccessKeyId", out, sizeof(out)) < 0,
	      "not a string");
	CHECK(cred_json_field("{\"AccessKeyId\": \"open", "AccessKeyId", out, sizeof(out)) < 0,
	      "unterminated");
	CHECK(cred_json_field("{\"Note\": \"AccessKeyId\"}", "AccessKeyId", out, sizeof(out)) < 0,
	      "a value is not a name");

	CHECK(cred_parse_time("2026-11-21T10:07:00Z", &t) == 0 && t == 1795255620, "t=%ld",
	      (long)t);
	CHECK(cred_parse_time("2026-11-21T10:07:00.123Z", &t) == 0 && t == 1795255620,
	      "fractions: t=%ld", (long)t);
	CHECK(cred_parse_time("2026-11-21", &t) < 0, "a date alone");
	CHECK(cred_parse_time("", &t) < 0, "empty");

	memset(&key, 0, sizeof(key));
	CHECK(cred_keys_from_json(doc, &key) == 0 && !strcmp(key.id, "ASIA1") &&
		  !strcmp(key.token, "IQo\"x") && key.expires == 1795255620,
	      "keys %s %ld", key.id, (long)key.expires);
	CHECK(cred_keys_from_json("{\"AccessKeyId\": \"A\"}", &key) < 0, "no secret");
}
